package io.seatwarden.bridge;

/**
 * Thrown by a {@link Host} or {@link RecordStore} that cannot be read at all (the product or its
 * database did not answer). The message must not contain personal data: it reaches the audit log.
 */
public class HostUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message free of personal data. */
  public HostUnavailableException(String message) {
    super(message);
  }

  /** A failure with a message free of personal data and its cause. */
  public HostUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
