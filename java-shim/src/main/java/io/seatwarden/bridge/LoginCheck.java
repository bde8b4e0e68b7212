package io.seatwarden.bridge;

import java.util.Objects;

/**
 * The engine's answer before the login filter checks a returning user's password ({@link
 * Seatwarden#loginCheck}): would a verified login give this user anything, and may the password be
 * checked now?
 *
 * @param user the user's key, or null when the engine's directory index does not know them
 * @param verdict what to do
 * @param reason for {@link Verdict#NOT_NEEDED}, why ({@code unknown_user}, {@code no_login_policy},
 *     {@code nothing_to_do}, {@code preview_only}); otherwise null
 * @param until for {@link Verdict#BACK_OFF}, when checking is allowed again (UTC ms); otherwise 0
 */
public record LoginCheck(String user, Verdict verdict, String reason, long until) {

  /** What the login filter does. */
  public enum Verdict {
    /** A verified login would give access back: check the password (probing, if deactivated). */
    VERIFY,
    /** A verified login would change nothing: leave the account alone. */
    NOT_NEEDED,
    /** A password was not accepted recently (on any node): no check before {@code until}. */
    BACK_OFF
  }

  /** Checks the parts. */
  public LoginCheck {
    Objects.requireNonNull(verdict, "verdict");
  }

  /** Whether the filter should check the password. */
  public boolean verify() {
    return verdict == Verdict.VERIFY;
  }
}
