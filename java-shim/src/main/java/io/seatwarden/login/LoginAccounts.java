package io.seatwarden.login;

import io.seatwarden.bridge.LoginCheck;
import java.util.Objects;

/**
 * The account operations the reactivation filter needs from the product. One implementation per
 * product (through its own user services, so its events, audit log and caches stay right);
 * {@link CrowdLoginAccounts} covers what both products share, with a {@link LoginProduct} for what
 * differs (licences, the failed-login count).
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

  /**
   * What the product's directory said about a credential, in Crowd's terms.
   *
   * <p>{@link #REFUSED_INACTIVE} means Crowd refused the account as inactive. Whether that says
   * anything about the password depends on the directory's order of checks ({@link
   * LoginCheck.InactiveRefusal}); the engine decides which verification applies.
   */
  enum Credential {
    /** Accepted: the account is active and the password right. */
    ACCEPTED,
    /** Refused as inactive ({@code InactiveAccountException}). */
    REFUSED_INACTIVE,
    /** Not accepted (wrong password, expired credential, unknown user). */
    NOT_ACCEPTED,
    /** The check could not be made (directory down, anything unexpected). */
    FAILED
  }

  /**
   * An account: its state, and where its directory refuses an inactive account.
   *
   * @param state the state
   * @param refusal the directory's order of checks (meaningful for {@link State#INACTIVE})
   */
  record Account(State state, LoginCheck.InactiveRefusal refusal) {
    /** An unknown account. */
    public static final Account UNKNOWN =
        new Account(State.UNKNOWN, LoginCheck.InactiveRefusal.BEFORE_CREDENTIAL);

    /** Checks the parts. */
    public Account {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(refusal, "refusal");
    }
  }

  /** The account the product resolves {@code username} to (case-insensitive). */
  Account account(String username);

  /** One {@code CrowdService.authenticate} of this credential, as Crowd answered it. */
  Credential check(String username, String password);

  /**
   * Activates or deactivates the account through the product's permission-checked services.
   * Called as the automation account.
   *
   * @throws RuntimeException when the product refuses (the state is then unchanged)
   */
  void setActive(String username, boolean active);

  /**
   * Clears the product's failed-login count of the user (the count that makes the product demand
   * a CAPTCHA), after Seatwarden verified their credential: the product clears it only on a
   * successful login, which a deactivated user never has. Best effort.
   */
  void resetFailedLoginCount(String username);
}
