package io.seatwarden.product;

/**
 * The automation account is not configured, does not exist or is inactive, so nothing can be
 * written on its behalf. The message never names the account (it reaches the audit log).
 */
public final class NoActingUserException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with a message free of personal data. */
  public NoActingUserException(String message) {
    super(message);
  }
}
