package io.seatwarden.bridge;

import java.util.Map;

/** The request's version is not one the native library speaks (kind {@code unsupported_version}). */
public final class UnsupportedVersionException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with the envelope's message and details. */
  public UnsupportedVersionException(String message, Map<String, Object> details) {
    super(ErrorKind.UNSUPPORTED_VERSION, message, details);
  }
}
