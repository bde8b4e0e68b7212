package io.seatwarden.login;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads {@code username} and {@code password} from a JSON login body ({@code {"username": ...,
 * "password": ...}}, Jira's {@code /rest/auth/1/session}). A small strict reader for one object
 * of fields: string values are decoded, other values skipped; anything malformed answers null,
 * and the product then handles the request as it would have.
 */
final class JsonCredentials {

  private final String text;
  private int at;

  private JsonCredentials(String text) {
    this.text = text;
  }

  /** {@code [username, password]}, or null when the body is not such an object. */
  static String[] parse(String body) {
    if (body == null) {
      return null;
    }
    try {
      Map<String, String> fields = new JsonCredentials(body).object();
      String user = fields.get("username");
      String password = fields.get("password");
      return user == null || password == null ? null : new String[] {user, password};
    } catch (IllegalArgumentException malformed) {
      return null;
    }
  }

  private Map<String, String> object() {
    Map<String, String> fields = new HashMap<>();
    expect('{');
    if (peek() == '}') {
      at++;
      return end(fields);
    }
    while (true) {
      String name = string();
      expect(':');
      if (peek() == '"') {
        fields.put(name, string());
      } else {
        skipValue();
      }
      char next = next();
      if (next == '}') {
        return end(fields);
      }
      if (next != ',') {
        throw new IllegalArgumentException("expected , or }");
      }
    }
  }

  private Map<String, String> end(Map<String, String> fields) {
    if (at < text.length() && !text.substring(at).isBlank()) {
      throw new IllegalArgumentException("trailing text");
    }
    return fields;
  }

  private String string() {
    expect('"');
    StringBuilder out = new StringBuilder();
    while (true) {
      if (at >= text.length()) {
        throw new IllegalArgumentException("unterminated string");
      }
      char c = text.charAt(at++);
      if (c == '"') {
        return out.toString();
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (at >= text.length()) {
        throw new IllegalArgumentException("unterminated escape");
      }
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) {
            throw new IllegalArgumentException("short unicode escape");
          }
          out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          at += 4;
        }
        default -> throw new IllegalArgumentException("bad escape");
      }
    }
  }

  /** Skips a number, literal, array or object (strings inside are skipped whole). */
  private void skipValue() {
    skipWhitespace();
    int depth = 0;
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c == '"') {
        string();
        if (depth == 0) {
          return;
        }
        continue;
      }
      if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        if (depth == 0) {
          return;
        }
        depth--;
      } else if (c == ',' && depth == 0) {
        return;
      }
      at++;
    }
    throw new IllegalArgumentException("unterminated value");
  }

  private void expect(char c) {
    if (next() != c) {
      throw new IllegalArgumentException("expected " + c);
    }
  }

  private char next() {
    skipWhitespace();
    if (at >= text.length()) {
      throw new IllegalArgumentException("unexpected end");
    }
    return text.charAt(at++);
  }

  private char peek() {
    skipWhitespace();
    if (at >= text.length()) {
      throw new IllegalArgumentException("unexpected end");
    }
    return text.charAt(at);
  }

  private void skipWhitespace() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
      at++;
    }
  }
}
