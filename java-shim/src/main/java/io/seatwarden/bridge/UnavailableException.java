package io.seatwarden.bridge;

import java.util.Map;

/**
 * The host's directory or its database did not answer during the call (kind {@code
 * unavailable}): a {@link HostUnavailableException} thrown by the {@link Host} or {@link
 * RecordStore}, as the engine reports it. Nothing is wrong with the request; retry later (the
 * scheduler job simply waits for its next tick). {@code details().get("source")} says which port:
 * {@code host} or {@code store}.
 */
public final class UnavailableException extends SeatwardenException {
  private static final long serialVersionUID = 1L;

  /** An exception with the envelope's message and details. */
  public UnavailableException(String message, Map<String, Object> details) {
    super(ErrorKind.UNAVAILABLE, message, details);
  }
}
