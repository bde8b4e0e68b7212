package io.seatwarden.bridge;

import java.util.Map;

/** The engine was closed, or the handle was never opened (kind {@code closed}). */
public final class EngineClosedException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with the envelope's message and details. */
  public EngineClosedException(String message, Map<String, Object> details) {
    super(ErrorKind.CLOSED, message, details);
  }

  /** An exception without details (the native library throws it this way through JNI). */
  public EngineClosedException(String message) {
    this(message, Map.of());
  }
}
