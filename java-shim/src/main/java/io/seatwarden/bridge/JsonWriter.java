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

  /** The tens and ones digits of 0..99, for writing numbers two digits at a time. */
  private static final byte[] DIGIT_TENS = new byte[100];

  private static final byte[] DIGIT_ONES = new byte[100];

  static {
    for (int i = 0; i < 100; i++) {
      DIGIT_TENS[i] = (byte) ('0' + i / 10);
      DIGIT_ONES[i] = (byte) ('0' + i % 10);
    }
  }

  /** 10^0 … 10^18. */
  private static final long[] POWERS_OF_TEN = new long[19];

  static {
    long p = 1;
    for (int i = 0; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = p;
      p *= 10;
    }
  }

  private byte[] buf;
  private int len;
  private Names names;

  JsonWriter() {
    this(256);
  }

  JsonWriter(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  private JsonWriter(byte[] buffer) {
    buf = buffer;
  }

  /**
   * A writer that writes into {@code buffer} from its start: a buffer handed out by {@link
   * #buffer} and given back once its reader is done with it.
   */
  static JsonWriter over(byte[] buffer) {
    return new JsonWriter(buffer.length < 16 ? new byte[16] : buffer);
  }

  /** The bytes written so far. */
  byte[] toBytes() {
    return Arrays.copyOf(buf, len);
  }

  /**
   * The writer's own buffer, not a copy: the first {@link #length} bytes are what was written, the
   * rest is left over from earlier use. The caller must not write with this writer again (nor
   * reuse the buffer) while someone reads it.
   */
  byte[] buffer() {
    return buf;
  }

  /** How many bytes were written. */
  int length() {
    return len;
  }

  /**
   * Writes {@code width} spaces to be replaced later by a number ({@link #fill}): a length that
   * is known only once what follows is written. Returns where they start.
   */
  int placeholder(int width) {
    ensure(width);
    int at = len;
    Arrays.fill(buf, at, at + width, (byte) ' ');
    len = at + width;
    return at;
  }

  /**
   * Writes {@code n >= 0} right-aligned into the {@code width} spaces of a {@link #placeholder} at
   * {@code at} (JSON allows the spaces left before it).
   */
  void fill(int at, int width, long n) {
    if (n < 0 || digits(n) > width || at < 0 || at + width > len) {
      throw new IllegalArgumentException("a number does not fit its placeholder");
    }
    int i = at + width;
    do {
      buf[--i] = (byte) ('0' + (int) (n % 10));
      n /= 10;
    } while (n > 0);
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

  /**
   * A string that recurs across many values, such as a group name (every member of a group names
   * it): written as {@link #value(String)} writes it, from the writer's {@link Names} when it has
   * one.
   */
  JsonWriter repeatedValue(String s) {
    Names cache = names;
    if (s == null || cache == null || s.isEmpty()) {
      return value(s);
    }
    int slot = Names.slot(s);
    String known = cache.names[slot];
    if (known == s || (known != null && known.equals(s))) {
      return raw(cache.bytes[slot]);
    }
    int start = len;
    value(s);
    if (known == null && len - start <= Names.MAX_BYTES) {
      cache.bytes[slot] = Arrays.copyOfRange(buf, start, len);
      cache.names[slot] = s;
    }
    return this;
  }

  /** Uses {@code cache} for {@link #repeatedValue} from now on ({@code null}: none). */
  JsonWriter names(Names cache) {
    names = cache;
    return this;
  }

  /** The writer's cache, which it no longer uses. */
  Names takeNames() {
    Names cache = names;
    names = null;
    return cache;
  }

  /**
   * Encoded strings that recur, for {@link #repeatedValue}: a page of users names the same few
   * groups thousands of times. Direct-mapped and fixed in size (a slot's first taker keeps it), so
   * a directory of a million distinct names costs a failed lookup each, not memory. Not
   * thread-safe: one writer at a time uses a cache.
   */
  static final class Names {
    private static final int SLOTS = 512;

    /** Longer encoded names are not kept. */
    private static final int MAX_BYTES = 128;

    private final String[] names = new String[SLOTS];
    private final byte[][] bytes = new byte[SLOTS][];

    /**
     * The slot of a non-empty {@code s}: from its length and three of its chars, not {@link
     * String#hashCode}, which reads every char of every name once per instance, and a host
     * usually hands each membership's name over as a new instance. Names that share a slot are
     * only encoded afresh, never confused: a hit is confirmed by {@code equals}.
     */
    static int slot(String s) {
      int n = s.length();
      int h = n * 31 + s.charAt(0) * 17 + s.charAt(n >> 1) * 7 + s.charAt(n - 1);
      return (h ^ (h >>> 7)) & (SLOTS - 1);
    }
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
    // Digits written backwards straight into place, two per division, in int arithmetic once the
    // number fits an int (a timestamp's 13 digits: one long division, then seven int ones).
    int end = at + digits(n);
    int i = end;
    while (n > Integer.MAX_VALUE) {
      long q = n / 100_000_000L;
      int r = (int) (n - q * 100_000_000L);
      for (int k = 0; k < 4; k++) {
        int q2 = r / 100;
        int d = r - q2 * 100;
        b[--i] = DIGIT_ONES[d];
        b[--i] = DIGIT_TENS[d];
        r = q2;
      }
      n = q;
    }
    int m = (int) n;
    while (m >= 100) {
      int q = m / 100;
      int d = m - q * 100;
      b[--i] = DIGIT_ONES[d];
      b[--i] = DIGIT_TENS[d];
      m = q;
    }
    b[--i] = DIGIT_ONES[m];
    if (m >= 10) {
      b[--i] = DIGIT_TENS[m];
    }
    len = end;
    return this;
  }

  /** The number of decimal digits of {@code n >= 0}. */
  private static int digits(long n) {
    if (n < 10) {
      return 1;
    }
    // floor(log10(2^bits)) by the usual 1233/4096 approximation, then one comparison.
    int bits = 64 - Long.numberOfLeadingZeros(n | 1);
    int d = (bits * 1233) >>> 12;
    return d + (n >= POWERS_OF_TEN[d] ? 1 : 0);
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
