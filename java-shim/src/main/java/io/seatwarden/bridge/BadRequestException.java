package io.seatwarden.bridge;

import java.util.Map;

/** The request was malformed or inconsistent (kind {@code bad_request}); details say where. */
public final class BadRequestException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with the envelope's message and details. */
  public BadRequestException(String message, Map<String, Object> details) {
    super(ErrorKind.BAD_REQUEST, message, details);
  }
}
