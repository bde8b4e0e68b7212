package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
  void everyNumberIsWrittenAsLongToStringWritesIt() {
    java.util.List<Long> numbers = new java.util.ArrayList<>();
    for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10) {
      for (long n : new long[] {p - 1, p, p + 1, 10 * p - 1}) {
        numbers.add(n);
        numbers.add(-n);
      }
    }
    numbers.addAll(
        List.of(
            (long) Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, (long) Integer.MIN_VALUE,
            99_999_999L, 100_000_000L, 100_000_000_00L, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1));
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 20_000; i++) {
      long n = random.nextLong() >> random.nextInt(64);
      numbers.add(n);
    }
    JsonWriter w = new JsonWriter(1);
    for (long n : numbers) {
      assertEquals(Long.toString(n), new String(w.reset().value(n).toBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void aPlaceholderTakesItsNumberRightAligned() {
    JsonWriter w = new JsonWriter(1).beginObject().name("length");
    int at = w.placeholder(10);
    w.endObject();
    w.fill(at, 10, 1234);
    assertEquals("{\"length\":      1234}", new String(w.toBytes(), StandardCharsets.UTF_8));
    assertEquals(java.util.Map.of("length", 1234L), Json.parse(w.toBytes()));
    assertThrows(IllegalArgumentException.class, () -> w.fill(at, 10, 12_345_678_901L));
    assertThrows(IllegalArgumentException.class, () -> w.fill(at, 10, -1));
  }

  @Test
  void repeatedNamesAreWrittenAsValuesAre() {
    JsonWriter plain = new JsonWriter(1);
    JsonWriter cached = new JsonWriter(1).names(new JsonWriter.Names());
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 5_000; i++) {
      // Few names, many times (hits), some new ones (misses, collisions), every kind of text.
      String s =
          random.nextInt(4) == 0 ? STRINGS[random.nextInt(STRINGS.length)] + i : STRINGS[random.nextInt(STRINGS.length)];
      plain.value(s).comma();
      cached.repeatedValue(s).comma();
    }
    assertArrayEquals(plain.toBytes(), cached.toBytes());
    assertEquals("null", new String(cached.reset().repeatedValue(null).toBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void namesSharingASlotAreNeverConfused() {
    // Same length, first, middle and last char: the same slot.
    String[] names = {"aXbYd", "aQbRd", "a\"b\\d", "a\u00e9b\u00fcd"};
    for (String n : names) {
      assertEquals(JsonWriter.Names.slot(names[0]), JsonWriter.Names.slot(n), n);
    }
    JsonWriter plain = new JsonWriter(1);
    JsonWriter cached = new JsonWriter(1).names(new JsonWriter.Names());
    for (int round = 0; round < 3; round++) {
      for (String n : names) {
        // New instances each time, as a host hands them over.
        String fresh = new String(n.toCharArray());
        plain.value(fresh).comma();
        cached.repeatedValue(fresh).comma();
      }
    }
    assertArrayEquals(plain.toBytes(), cached.toBytes());
  }

  @Test
  void objectsBuiltWithNamesParse() {
    JsonWriter w = new JsonWriter(2).beginObject().name("a").value(1).comma().name("b");
    Codec.strings(w, List.of("x", "y"));
    assertEquals(
        java.util.Map.of("a", 1L, "b", List.of("x", "y")), Json.parse(w.endObject().toBytes()));
  }
}
