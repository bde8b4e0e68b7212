package io.seatwarden.login;

import com.atlassian.beehive.ClusterLock;
import com.atlassian.beehive.ClusterLockService;
import io.seatwarden.bridge.LoginCheck;
import io.seatwarden.bridge.LoginCheckOutcome;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.product.ActingUser;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a returning person their account back when they log in with the right password, before
 * the product's own login refuses them (see {@code docs/login-reactivation.md}).
 *
 * <p>Order of events: ask the engine first whether a verified login would give this user anything
 * and whether a recent wrong password means waiting ({@link Seatwarden#loginCheck}, cluster-wide);
 * only then verify the password (for a deactivated account by the product's own check on the
 * briefly activated account: the "probe"), journaled in the engine so that a node dying inside the
 * probe is put right by the next scheduler tick on any node; put the account back as it was; and
 * only then let the engine's login policies act ({@link Seatwarden#onLogin}). So a wrong password
 * never reaches the login policies and never leaves the account active; the product's login, which
 * always runs afterwards, checks the password again itself. Nothing here lets a login through: it
 * only changes the account's state.
 */
public final class Reactivation {

  private static final Logger LOG = LoggerFactory.getLogger(Reactivation.class);

  /** How long a login waits for another node probing the same user. */
  static final long LOCK_WAIT_MILLIS = 2000;

  /** Per-user cluster lock names start with this (lower-cased username follows). */
  public static final String LOCK_PREFIX = "io.seatwarden.login.";

  /** What one attempt came to (for tests and the log; the login proceeds in every case). */
  public enum Result {
    /** Not Seatwarden's business: unknown or already active account, or no password. */
    PASSED_THROUGH,
    /** No login policy would give this user access back: nothing checked, nothing changed. */
    NOT_NEEDED,
    /** Not tried now: CAPTCHA due, back-off after a failure, or another node is probing. */
    SKIPPED,
    /** The product did not accept the credentials; nothing changed. */
    NOT_VERIFIED,
    /** Credentials verified, but no login policy gave access back. */
    NOT_REACTIVATED,
    /** Credentials verified and the engine gave access back. */
    REACTIVATED,
    /** Something failed on the way; the account is as it was. */
    FAILED
  }

  private final Seatwarden engine;
  private final LoginAccounts accounts;
  private final ActingUser actingUser;
  private final ClusterLockService locks;
  private final LongSupplier clock;

  /** Reactivation over the engine and the product's accounts. */
  public Reactivation(
      Seatwarden engine,
      LoginAccounts accounts,
      ActingUser actingUser,
      ClusterLockService locks,
      LongSupplier clock) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.accounts = Objects.requireNonNull(accounts, "accounts");
    this.actingUser = Objects.requireNonNull(actingUser, "actingUser");
    this.locks = Objects.requireNonNull(locks, "locks");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Handles credentials presented for {@code username}; never throws. */
  public Result attempt(String username, String password) {
    if (username == null || username.isBlank() || password == null || password.isEmpty()) {
      return Result.PASSED_THROUGH;
    }
    String name = username.toLowerCase(Locale.ROOT);
    try {
      LoginAccounts.State state = accounts.state(username);
      if (!needsUs(state)) {
        return Result.PASSED_THROUGH;
      }
      if (accounts.elevatedSecurityRequired(username)) {
        return Result.SKIPPED;
      }
      Result refused = engineRefuses(username);
      if (refused != null) {
        return refused;
      }
      ClusterLock lock = locks.getLockForName(LOCK_PREFIX + name);
      if (!lock.tryLock(LOCK_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        return Result.SKIPPED;
      }
      try {
        state = accounts.state(username);
        if (!needsUs(state)) {
          return Result.PASSED_THROUGH;
        }
        // Again under the lock: a check that just failed on another request (or node) while this
        // one waited starts a back-off, and concurrent requests must not all get their guess.
        refused = engineRefuses(username);
        if (refused != null) {
          return refused;
        }
        if (!verify(username, password, state == LoginAccounts.State.INACTIVE)) {
          return Result.NOT_VERIFIED;
        }
        LoginOutcome outcome = actingUser.call(() -> engine.onLogin(username, clock.getAsLong()));
        boolean restored =
            state == LoginAccounts.State.INACTIVE
                ? outcome.reactivated()
                : !outcome.applied().isEmpty();
        return restored ? Result.REACTIVATED : Result.NOT_REACTIVATED;
      } finally {
        lock.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Result.SKIPPED;
    } catch (RuntimeException e) {
      LOG.warn("Seatwarden could not handle a login of a deactivated account: {}", e.toString());
      return Result.FAILED;
    }
  }

  /** What the attempt comes to when the engine says not to check now; null to go on. */
  private Result engineRefuses(String username) {
    LoginCheck check = actingUser.call(() -> engine.loginCheck(username, clock.getAsLong()));
    return switch (check.verdict()) {
      case NOT_NEEDED -> Result.NOT_NEEDED;
      case BACK_OFF -> Result.SKIPPED;
      case VERIFY -> null;
    };
  }

  private static boolean needsUs(LoginAccounts.State state) {
    return state == LoginAccounts.State.INACTIVE || state == LoginAccounts.State.UNLICENSED;
  }

  /**
   * Verifies the password, journaled in the engine: the check begins (before anything changes),
   * a deactivated account is activated for the length of one password check by the product (the
   * probe) and deactivated again whatever the result, and the check ends with its outcome. If
   * activating fails, nothing changed and the attempt fails. If deactivating again fails (after
   * retries), the check is left open on purpose: the next scheduler tick, on any node, deactivates
   * the account. A wrong password ends as {@link LoginCheckOutcome#NOT_VERIFIED}, which the engine
   * turns into a cluster-wide back-off.
   */
  private boolean verify(String username, String password, boolean inactive) {
    long check = actingUser.call(() -> engine.loginCheckBegan(username, clock.getAsLong()));
    LoginCheckOutcome outcome = LoginCheckOutcome.FAILED;
    boolean activated = false;
    try {
      if (inactive) {
        actingUser.run(() -> accounts.setActive(username, true));
        activated = true;
      }
      outcome =
          accounts.verifyPassword(username, password)
              ? LoginCheckOutcome.VERIFIED
              : LoginCheckOutcome.NOT_VERIFIED;
    } finally {
      if (activated) {
        restoreInactive(username);
      }
      end(check, outcome);
    }
    return outcome == LoginCheckOutcome.VERIFIED;
  }

  /** Journals the end of a check; a failure to do so is logged (the repair closes it later). */
  private void end(long check, LoginCheckOutcome outcome) {
    try {
      actingUser.run(() -> engine.loginCheckEnded(check, outcome, clock.getAsLong()));
    } catch (RuntimeException e) {
      LOG.warn("Seatwarden could not record the end of password check {}: {}", check, e.toString());
    }
  }

  private void restoreInactive(String username) {
    RuntimeException first = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        actingUser.run(() -> accounts.setActive(username, false));
        return;
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    LOG.error(
        "Seatwarden could not deactivate an account again after checking its password; the next"
            + " scheduler run will");
    throw first;
  }
}
