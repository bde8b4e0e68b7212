package io.seatwarden.bridge;

import java.util.Map;

/** The request refers to something that does not exist (kind {@code not_found}). */
public final class NotFoundException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with the envelope's message and details. */
  public NotFoundException(String message, Map<String, Object> details) {
    super(ErrorKind.NOT_FOUND, message, details);
  }
}
