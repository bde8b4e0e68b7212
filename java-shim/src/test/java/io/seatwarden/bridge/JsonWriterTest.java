package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bridge's JSON writer: escapes, UTF-8 and numbers, checked by reading back. */
class JsonWriterTest {
  private static final String[] STRINGS = {
    "", "plain", "quote \" backslash \\ slash /", "tab\tnewline\nreturn\r", "\u0000\u0001\u001f",
    "caf\u00e9 \u00fc\u00df", "\u20ac \u4e2d\u6587", "emoji \ud83d\ude00 pair", "x".repeat(5000),
  };

  @Test
  void stringsRoundTripThroughTheReader() {
    for (String s : STRINGS) {
      byte[] bytes = new JsonWriter(1).value(s).toBytes();
      assertEquals(s, Json.parse(bytes), s);
    }
  }

  @Test
  void nonAsciiIsWrittenAsUtf8AsStringWouldEncodeIt() {
    String s = "caf\u00e9 \u20ac \ud83d\ude00";
    byte[] expected = ("\"" + s + "\"").getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(expected, new JsonWriter().value(s).toBytes());
  }

  @Test
  void aLoneSurrogateBecomesTheReplacementCharacter() {
    assertEquals("a\ufffdb", Json.parse(new JsonWriter().value("a\ud800b").toBytes()));
  }

  @Test
  void numbersAndNullsAreWrittenExactly() {
    long[] numbers = {0, 7, 9, 10, 42, -1, -10, 1_763_683_200_000L, Long.MAX_VALUE, Long.MIN_VALUE};
    for (long n : numbers) {
      assertEquals(Long.toString(n), new String(new JsonWriter(1).value(n).toBytes(), StandardCharsets.UTF_8));
    }
    JsonWriter w = new JsonWriter(1).beginArray().value((Long) null).comma().value((Integer) null);
    w.comma().value((String) null).comma().value(true).endArray();
    assertEquals(java.util.Arrays.asList(null, null, null, true), Json.parse(w.toBytes()));
  }

  @Test
  void objectsBuiltWithNamesParse() {
    JsonWriter w = new JsonWriter(2).beginObject().name("a").value(1).comma().name("b");
    Codec.strings(w, List.of("x", "y"));
    assertEquals(
        java.util.Map.of("a", 1L, "b", List.of("x", "y")), Json.parse(w.endObject().toBytes()));
  }
}
