package io.seatwarden.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Shared test data and helpers. */
final class Fixtures {
  /** The instant the fixture snapshot was taken. */
  static final long NOW = 1_763_690_400_000L;

  private Fixtures() {}

  /** The small snapshot also used by the Rust unit tests. */
  static byte[] snapshot() {
    try (InputStream in = Fixtures.class.getResourceAsStream("/snapshot-small.json")) {
      if (in == null) {
        throw new IllegalStateException("snapshot-small.json is not on the test classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A query request at {@link #NOW}. */
  static byte[] queryRequest(String queryJson) {
    return utf8("{\"version\":1,\"now\":" + NOW + ",\"query\":" + queryJson + "}");
  }

  @SuppressWarnings("unchecked")
  static List<Object> rows(Map<String, Object> page) {
    return (List<Object>) page.get("rows");
  }

  /** The keys of a page's rows, in order. */
  @SuppressWarnings("unchecked")
  static List<String> keys(byte[] pageJson) {
    return rows(Json.parseObject(pageJson)).stream()
        .map(row -> (String) ((Map<String, Object>) row).get("key"))
        .toList();
  }

  /** Writes JSON values as {@link Json} reads them (maps, lists, strings, numbers, booleans, null). */
  static String toJson(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value);
    return out.toString();
  }

  private static void write(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String) {
      out.append('"');
      for (char c : ((String) value).toCharArray()) {
        if (c == '"' || c == '\\') {
          out.append('\\').append(c);
        } else if (c < 0x20) {
          out.append(String.format("\\u%04x", (int) c));
        } else {
          out.append(c);
        }
      }
      out.append('"');
    } else if (value instanceof Map) {
      out.append('{');
      String sep = "";
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        out.append(sep);
        write(out, e.getKey());
        out.append(':');
        write(out, e.getValue());
        sep = ",";
      }
      out.append('}');
    } else if (value instanceof List) {
      out.append('[');
      String sep = "";
      for (Object item : (List<?>) value) {
        out.append(sep);
        write(out, item);
        sep = ",";
      }
      out.append(']');
    } else {
      out.append(value);
    }
  }
}
