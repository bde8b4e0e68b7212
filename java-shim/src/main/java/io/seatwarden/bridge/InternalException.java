package io.seatwarden.bridge;

import java.util.Map;

/** A bug in the native library, such as a panic (kind {@code internal}); never the caller's fault. The JVM and other engines are unaffected. */
public final class InternalException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with the envelope's message and details. */
  public InternalException(String message, Map<String, Object> details) {
    super(ErrorKind.INTERNAL, message, details);
  }

  /** An exception without details (the native library throws it this way through JNI). */
  public InternalException(String message) {
    this(message, Map.of());
  }
}
