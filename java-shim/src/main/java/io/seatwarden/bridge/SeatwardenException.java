package io.seatwarden.bridge;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The root of the bridge's exceptions: unchecked, one subclass per {@link ErrorKind}.
 *
 * <p>Messages come from the native library and never contain personal data (users are named by
 * key); {@link #details()} carries the machine-readable context of the failure envelope.
 */
public abstract class SeatwardenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final transient Map<String, Object> details;

  SeatwardenException(ErrorKind kind, String message, Map<String, Object> details) {
    this(kind, message, details, null);
  }

  SeatwardenException(
      ErrorKind kind, String message, Map<String, Object> details, Throwable cause) {
    super(message, cause);
    this.kind = kind;
    this.details =
        details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
  }

  /** Which kind of error this is. */
  public ErrorKind kind() {
    return kind;
  }

  /**
   * The envelope's {@code details} object (JSON values as {@code String}, {@code Long}, {@code
   * Double}, {@code Boolean}, {@code List} and {@code Map}); empty if there were none.
   */
  public Map<String, Object> details() {
    return details == null ? Map.of() : details;
  }
}
