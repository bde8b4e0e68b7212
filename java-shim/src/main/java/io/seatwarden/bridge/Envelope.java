package io.seatwarden.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;

/**
 * Turns a response envelope into its result bytes or the exception its error kind maps to.
 *
 * <p>The native library writes every success envelope as the fixed prefix {@code
 * {"ok":true,"result":} followed by the result and one closing brace, so the result is handed on
 * by slicing, without parsing it. Failure envelopes are parsed (they are small).
 */
final class Envelope {
  static final byte[] OK_PREFIX = "{\"ok\":true,\"result\":".getBytes(StandardCharsets.UTF_8);

  private Envelope() {}

  /** The result bytes of a success envelope; throws the mapped exception for a failure. */
  static byte[] unwrap(byte[] envelope) {
    if (envelope == null) {
      throw new BridgeException("the native library returned no response");
    }
    int n = envelope.length;
    if (n > OK_PREFIX.length
        && envelope[n - 1] == '}'
        && Arrays.equals(envelope, 0, OK_PREFIX.length, OK_PREFIX, 0, OK_PREFIX.length)) {
      return Arrays.copyOfRange(envelope, OK_PREFIX.length, n - 1);
    }
    throw failure(Json.parseObject(envelope));
  }

  /** The result of a success envelope, parsed; for small results such as version info. */
  static Map<String, Object> unwrapObject(byte[] envelope) {
    return Json.parseObject(unwrap(envelope));
  }

  @SuppressWarnings("unchecked")
  private static SeatwardenException failure(Map<String, Object> envelope) {
    if (!Boolean.FALSE.equals(envelope.get("ok")) || !(envelope.get("error") instanceof Map)) {
      return new BridgeException("malformed envelope from the native library");
    }
    Map<String, Object> error = (Map<String, Object>) envelope.get("error");
    String kindName = error.get("kind") instanceof String ? (String) error.get("kind") : "";
    String message =
        error.get("message") instanceof String ? (String) error.get("message") : "(no message)";
    Map<String, Object> details =
        error.get("details") instanceof Map ? (Map<String, Object>) error.get("details") : Map.of();
    ErrorKind kind = ErrorKind.fromWireName(kindName);
    if (kind == null || kind == ErrorKind.BRIDGE) {
      // A library newer than these classes; the version check makes this a bug.
      return new InternalException("unknown error kind `" + kindName + "`: " + message, details);
    }
    return kind.exception(message, details);
  }
}
