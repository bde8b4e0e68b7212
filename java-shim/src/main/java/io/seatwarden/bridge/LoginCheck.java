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
 * @param verification for {@link Verdict#VERIFY}, how the engine wants the credential verified;
 *     otherwise null
 */
public record LoginCheck(
    String user, Verdict verdict, String reason, long until, Verification verification) {

  /** The account as the filter found it. */
  public enum AccountState {
    /** Deactivated. */
    INACTIVE("inactive"),
    /** Active, but its licence was taken back. */
    UNLICENSED("unlicensed");

    private final String wire;

    AccountState(String wire) {
      this.wire = wire;
    }

    /** The engine's name. */
    public String wireName() {
      return wire;
    }
  }

  /**
   * Where, in Crowd's order of checks, the account's directory refuses an inactive account (read
   * from the directory's configuration; sources in {@code docs/login-reactivation.md} §1.3).
   */
  public enum InactiveRefusal {
    /** Only after the credential was accepted: the refusal proves the password. */
    AFTER_CREDENTIAL("after_credential"),
    /** Before any credential check: nothing proves the password. */
    BEFORE_CREDENTIAL("before_credential");

    private final String wire;

    InactiveRefusal(String wire) {
      this.wire = wire;
    }

    /** The engine's name. */
    public String wireName() {
      return wire;
    }
  }

  /** How the engine wants the credential verified. */
  public enum Verification {
    /** Authenticate the active, unlicensed account. */
    LICENCE("licence"),
    /** Authenticate the still-inactive account: Crowd's "inactive" refusal is the proof. */
    PROOF("proof"),
    /** Activate for one authenticate and deactivate again (opt-in per directory). */
    PROBE("probe");

    private final String wire;

    Verification(String wire) {
      this.wire = wire;
    }

    /** The engine's name. */
    public String wireName() {
      return wire;
    }

    /** The verification the engine named, or null for an unknown name. */
    public static Verification fromWire(String name) {
      for (Verification v : values()) {
        if (v.wire.equals(name)) {
          return v;
        }
      }
      return null;
    }
  }

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
    if (verdict == Verdict.VERIFY) {
      Objects.requireNonNull(verification, "verification");
    }
  }

  /** Whether the filter should check the password. */
  public boolean verify() {
    return verdict == Verdict.VERIFY;
  }
}
