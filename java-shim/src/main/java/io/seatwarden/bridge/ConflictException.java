package io.seatwarden.bridge;

import java.util.Map;

/** The request conflicts with the current state, e.g. a stale version (kind {@code conflict}). */
public final class ConflictException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with the envelope's message and details. */
  public ConflictException(String message, Map<String, Object> details) {
    super(ErrorKind.CONFLICT, message, details);
  }
}
