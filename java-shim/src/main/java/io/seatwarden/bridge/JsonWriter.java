package io.seatwarden.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A small JSON writer straight into UTF-8 bytes: what the bridge sends to the native library
 * (requests, and the host's answers to upcalls).
 *
 * <p>Why not a library: see {@link Json}. Why bytes rather than a {@code StringBuilder}: a host
 * pages out a million users through {@link HostBridge}, and encoding into the {@code byte[]} JNI
 * copies saves a pass and a copy per page. The caller writes separators itself through {@link
 * #name} (objects) and {@link #comma}; the writer only escapes and encodes.
 */
final class JsonWriter {
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private byte[] buf;
  private int len;

  JsonWriter() {
    this(256);
  }

  JsonWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  /** The bytes written so far. */
  byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  /** Forgets what was written, keeping the buffer (a writer reused page after page). */
  JsonWriter reset() {
    len = 0;
    return this;
  }

  /** The buffer's size, to drop a writer that grew too large to keep. */
  int capacity() {
    return buf.length;
  }

  /** Bytes written as they are (pre-encoded ASCII: the codec's field names). */
  JsonWriter raw(byte[] ascii) {
    ensure(ascii.length);
    System.arraycopy(ascii, 0, buf, len, ascii.length);
    len += ascii.length;
    return this;
  }

  JsonWriter raw(char c) {
    ensure(1);
    buf[len++] = (byte) c;
    return this;
  }

  JsonWriter raw(String ascii) {
    int n = ascii.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) ascii.charAt(i);
    }
    return this;
  }

  JsonWriter beginObject() {
    return raw('{');
  }

  JsonWriter endObject() {
    return raw('}');
  }

  JsonWriter beginArray() {
    return raw('[');
  }

  JsonWriter endArray() {
    return raw(']');
  }

  JsonWriter comma() {
    return raw(',');
  }

  /** {@code "name":} (names are ASCII identifiers written by the bridge). */
  JsonWriter name(String name) {
    int n = name.length();
    ensure(n + 3);
    buf[len++] = '"';
    for (int i = 0; i < n; i++) {
      buf[len++] = (byte) name.charAt(i);
    }
    buf[len++] = '"';
    buf[len++] = ':';
    return this;
  }

  /** A string, or {@code null}. */
  JsonWriter value(String s) {
    if (s == null) {
      return raw("null");
    }
    int n = s.length();
    // Worst case: six bytes per char (an escape); one check instead of one per char.
    ensure(6L * n + 2);
    byte[] b = buf;
    int at = len;
    b[at++] = '"';
    int plain = 0;
    while (plain < n && plainAscii(s.charAt(plain))) {
      plain++;
    }
    if (plain == n) {
      // The common case (keys, usernames, emails, group names): nothing to escape or encode, so
      // the chars are copied as bytes in one go.
      copyAscii(s, n, b, at);
      b[at + n] = '"';
      len = at + n + 1;
      return this;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        b[at++] = (byte) c;
      } else {
        len = at;
        i = special(s, i, c);
        b = buf;
        at = len;
      }
    }
    b[at++] = '"';
    len = at;
    return this;
  }

  private static boolean plainAscii(char c) {
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
  }

  /** Copies {@code n} chars known to be ASCII as bytes (an intrinsic copy for compact strings). */
  @SuppressWarnings("deprecation")
  private static void copyAscii(String s, int n, byte[] b, int at) {
    s.getBytes(0, n, b, at);
  }

  JsonWriter value(long n) {
    if (n >= 0 && n < 10) {
      ensure(1);
      buf[len++] = (byte) ('0' + n);
      return this;
    }
    if (n == Long.MIN_VALUE) {
      return raw(Long.toString(n));
    }
    ensure(20);
    byte[] b = buf;
    int at = len;
    if (n < 0) {
      b[at++] = '-';
      n = -n;
    }
    // Digits backwards into the buffer's tail, then moved into place: one division per digit.
    int end = b.length;
    int i = end;
    while (n > 0) {
      long q = n / 10;
      b[--i] = (byte) ('0' + (int) (n - q * 10));
      n = q;
    }
    int digits = end - i;
    // ensure(20) leaves the tail past `at`; arraycopy copes if the two ranges overlap.
    System.arraycopy(b, i, b, at, digits);
    len = at + digits;
    return this;
  }

  JsonWriter value(boolean b) {
    return raw(b ? "true" : "false");
  }

  /** A number, or {@code null}. */
  JsonWriter value(Long n) {
    return n == null ? raw("null") : value(n.longValue());
  }

  /** A number, or {@code null}. */
  JsonWriter value(Integer n) {
    return n == null ? raw("null") : value(n.longValue());
  }

  /** Writes an escaped or non-ASCII char at {@code i}; returns the last index consumed. */
  private int special(String s, int i, char c) {
    switch (c) {
      case '"':
        raw("\\\"");
        return i;
      case '\\':
        raw("\\\\");
        return i;
      case '\n':
        raw("\\n");
        return i;
      case '\r':
        raw("\\r");
        return i;
      case '\t':
        raw("\\t");
        return i;
      default:
        break;
    }
    if (c < 0x20) {
      ensure(6);
      buf[len++] = '\\';
      buf[len++] = 'u';
      buf[len++] = '0';
      buf[len++] = '0';
      buf[len++] = HEX[c >> 4];
      buf[len++] = HEX[c & 0xf];
      return i;
    }
    ensure(4);
    if (c < 0x800) {
      buf[len++] = (byte) (0xc0 | (c >> 6));
      buf[len++] = (byte) (0x80 | (c & 0x3f));
      return i;
    }
    if (Character.isHighSurrogate(c)
        && i + 1 < s.length()
        && Character.isLowSurrogate(s.charAt(i + 1))) {
      int cp = Character.toCodePoint(c, s.charAt(i + 1));
      buf[len++] = (byte) (0xf0 | (cp >> 18));
      buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
      buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
      buf[len++] = (byte) (0x80 | (cp & 0x3f));
      return i + 1;
    }
    if (Character.isSurrogate(c)) {
      // A lone surrogate is not Unicode text; write U+FFFD as String.getBytes would.
      c = '\ufffd';
    }
    buf[len++] = (byte) (0xe0 | (c >> 12));
    buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
    buf[len++] = (byte) (0x80 | (c & 0x3f));
    return i;
  }

  private void ensure(long extra) {
    if (len + extra > buf.length) {
      long wanted = Math.max((long) buf.length * 2, len + extra);
      if (wanted > Integer.MAX_VALUE - 16) {
        throw new BridgeException("a JSON payload beyond 2 GiB cannot cross JNI");
      }
      buf = Arrays.copyOf(buf, (int) wanted);
    }
  }
}
