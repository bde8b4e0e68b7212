package io.seatwarden.bridge;

import java.util.Map;

/**
 * The boundary itself failed (kind {@code bridge}): the native library could not be found or
 * loaded, a JNI call failed (an unreadable {@code byte[]}), or a response was malformed.
 */
public class BridgeException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message and details. */
  public BridgeException(String message, Map<String, Object> details) {
    super(ErrorKind.BRIDGE, message, details);
  }

  /** An exception without details (the native library throws it this way through JNI). */
  public BridgeException(String message) {
    this(message, Map.of());
  }

  /** An exception with details, caused by another (a native library that would not load). */
  BridgeException(String message, Map<String, Object> details, Throwable cause) {
    super(ErrorKind.BRIDGE, message, details, cause);
  }

  /** An exception caused by another, e.g. an I/O error while extracting the library. */
  public BridgeException(String message, Throwable cause) {
    super(ErrorKind.BRIDGE, message, Map.of(), cause);
  }
}
