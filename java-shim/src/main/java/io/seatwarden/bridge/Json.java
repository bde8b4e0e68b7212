package io.seatwarden.bridge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON reader for the envelopes and results the native library returns.
 *
 * <p>Why not a library: the bridge needs to read a handful of small, machine-written documents
 * (envelopes, version info, open results), and a plugin that bundles no third-party jar has
 * nothing to clash with in the host's OSGi container. Large payloads (query pages) are passed on
 * as bytes without being parsed here.
 *
 * <p>Values map to {@code Map<String, Object>} (insertion-ordered, unmodifiable), {@code
 * List<Object>}, {@code String}, {@code Long} (integers that fit), {@code Double} (other numbers),
 * {@code Boolean} and {@code null}.
 */
final class Json {
  private static final int MAX_DEPTH = 256;

  private final String text;
  private int pos;
  private int depth;

  private Json(String text) {
    this.text = text;
  }

  /** Parses one JSON document; malformed input is a {@link BridgeException}. */
  static Object parse(byte[] utf8) {
    return parse(new String(utf8, StandardCharsets.UTF_8));
  }

  /** Parses one JSON document; malformed input is a {@link BridgeException}. */
  static Object parse(String text) {
    Json json = new Json(text);
    json.skipWhitespace();
    Object value = json.value();
    json.skipWhitespace();
    if (json.pos != text.length()) {
      throw json.error("trailing characters");
    }
    return value;
  }

  /** Parses a document that must be an object. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> parseObject(byte[] utf8) {
    Object value = parse(utf8);
    if (!(value instanceof Map)) {
      throw new BridgeException("malformed JSON from the native library: expected an object");
    }
    return (Map<String, Object>) value;
  }

  private Object value() {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        literal("true");
        return Boolean.TRUE;
      case 'f':
        literal("false");
        return Boolean.FALSE;
      case 'n':
        literal("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character");
    }
  }

  private Map<String, Object> object() {
    enter();
    pos++; // '{'
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      depth--;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw error("expected a member name");
      }
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      map.put(key, value());
      skipWhitespace();
      char c = next();
      if (c == '}') {
        break;
      }
      if (c != ',') {
        throw error("expected `,` or `}`");
      }
    }
    depth--;
    return Collections.unmodifiableMap(map);
  }

  private List<Object> array() {
    enter();
    pos++; // '['
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      depth--;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(value());
      skipWhitespace();
      char c = next();
      if (c == ']') {
        break;
      }
      if (c != ',') {
        throw error("expected `,` or `]`");
      }
    }
    depth--;
    return Collections.unmodifiableList(list);
  }

  private String string() {
    pos++; // opening quote
    StringBuilder out = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("control character in string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.append(e);
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u':
          if (pos + 4 > text.length()) {
            throw error("truncated \\u escape");
          }
          try {
            out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
          } catch (NumberFormatException ex) {
            throw error("bad \\u escape");
          }
          pos += 4;
          break;
        default:
          throw error("bad escape");
      }
    }
  }

  private Object number() {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    boolean integral = true;
    if (!isDigit(peek())) {
      throw error("expected a digit");
    }
    while (isDigit(peek())) {
      pos++;
    }
    if (peek() == '.') {
      integral = false;
      pos++;
      if (!isDigit(peek())) {
        throw error("expected a digit");
      }
      while (isDigit(peek())) {
        pos++;
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("expected a digit");
      }
      while (isDigit(peek())) {
        pos++;
      }
    }
    String digits = text.substring(start, pos);
    if (integral) {
      try {
        return Long.parseLong(digits);
      } catch (NumberFormatException tooLarge) {
        // Fall through: integers beyond a long are read as doubles.
      }
    }
    return Double.parseDouble(digits);
  }

  private void literal(String word) {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected literal");
    }
    pos += word.length();
  }

  private void enter() {
    if (++depth > MAX_DEPTH) {
      throw error("nested too deeply");
    }
  }

  private void expect(char c) {
    if (next() != c) {
      throw error("expected `" + c + "`");
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private char next() {
    if (pos >= text.length()) {
      throw error("unexpected end of input");
    }
    return text.charAt(pos++);
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private BridgeException error(String what) {
    return new BridgeException(
        "malformed JSON from the native library: " + what + " at offset " + pos);
  }
}
