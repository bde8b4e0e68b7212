package io.seatwarden.login;

/**
 * The account operations the reactivation filter needs from the product. One implementation per
 * product (through its own user services, so its events, audit log and caches stay right);
 * {@link CrowdLoginAccounts} covers what both products share.
 */
public interface LoginAccounts {

  /** An account's state as the product's login would see it. */
  enum State {
    /** No such user (or not in a directory the product authenticates against). */
    UNKNOWN,
    /** Active and allowed to log in: the product's own login handles it. */
    ACTIVE,
    /** Active, but without a licence to log in (Seatwarden took it back). */
    UNLICENSED,
    /** Deactivated. */
    INACTIVE
  }

  /** The state of the account the product resolves {@code username} to (case-insensitive). */
  State state(String username);

  /**
   * Whether the product asks this user for a CAPTCHA (too many failed logins): Seatwarden never
   * checks a password then, so it cannot be used to guess faster than the login form allows.
   */
  boolean elevatedSecurityRequired(String username);

  /**
   * Whether the product's directory accepts this password for this user now: an exact check by
   * the product itself ({@code CrowdService.authenticate}), false on any failure.
   */
  boolean verifyPassword(String username, String password);

  /**
   * Activates or deactivates the account through the product's permission-checked services.
   * Called as the automation account.
   *
   * @throws RuntimeException when the product refuses (the state is then unchanged)
   */
  void setActive(String username, boolean active);
}
