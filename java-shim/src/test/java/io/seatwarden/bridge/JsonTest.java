package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {
  @Test
  void parsesEveryKindOfValue() {
    Object value =
        Json.parse(
            "{\"s\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"i\":-12,\"big\":12345678901234567890,"
                + "\"d\":1.5e2,\"t\":true,\"f\":false,\"n\":null,\"a\":[1,[],{}]}");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("s", "a\"b\\c\né😀");
    expected.put("i", -12L);
    expected.put("big", 1.2345678901234567e19);
    expected.put("d", 150.0);
    expected.put("t", true);
    expected.put("f", false);
    expected.put("n", null);
    expected.put("a", List.of(1L, List.of(), Map.of()));
    assertEquals(expected, value);
  }

  @Test
  void readsUtf8Bytes() {
    assertEquals(Map.of("k", "Zoë"), Json.parse(utf8(" { \"k\" : \"Zoë\" } ")));
    assertNull(Json.parse("null"));
  }

  @Test
  void keepsMemberOrder() {
    Map<String, Object> object = Json.parseObject(utf8("{\"b\":1,\"a\":2,\"c\":3}"));
    assertEquals(List.of("b", "a", "c"), List.copyOf(object.keySet()));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "tru", "01x", "\"abc", "\"\\x\"", "1 2", "-",
        "1.", "1e", "\"\u0001\"", "{1:2}", "[1 2]"
      })
  void rejectsMalformedInput(String text) {
    BridgeException e = assertThrows(BridgeException.class, () -> Json.parse(text));
    assertEquals(ErrorKind.BRIDGE, e.kind());
  }

  @Test
  void rejectsDeepNesting() {
    char[] open = new char[10_000];
    Arrays.fill(open, '[');
    assertThrows(BridgeException.class, () -> Json.parse(new String(open)));
  }

  @Test
  void parseObjectRefusesOtherValues() {
    assertThrows(BridgeException.class, () -> Json.parseObject(utf8("[1]")));
  }
}
