package io.seatwarden.login;

import com.atlassian.beehive.ClusterLock;
import com.atlassian.beehive.ClusterLockService;
import io.seatwarden.bridge.LoginCheck;
import io.seatwarden.bridge.LoginCheckOutcome;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.login.LoginAccounts.Account;
import io.seatwarden.login.LoginAccounts.Credential;
import io.seatwarden.login.LoginAccounts.State;
import io.seatwarden.product.ActingUser;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a returning person access back when they log in with the right credentials, before the
 * product's own login would refuse them (see {@code docs/login-reactivation.md}).
 *
 * <p>Order of events, cheapest first so that an anonymous flood costs almost nothing: the
 * node-local {@link LoginThrottle} (no database or product call before it); one look-up of the
 * account (unknown and active, licensed accounts end here, exactly like any login); the engine's
 * decision ({@link Seatwarden#loginCheck}: would a verified login give anything, which
 * verification applies to this account's directory, and no recent wrong password on any node);
 * a striped cluster lock taken without waiting; the credential check the engine chose, journaled
 * ({@link LoginCheck.Verification#LICENCE} and {@link LoginCheck.Verification#PROOF} change nothing
 * before the answer; only the opt-in {@link LoginCheck.Verification#PROBE} activates the account
 * for one check); and only then {@link Seatwarden#loginVerified}, which gives access back
 * <em>provisionally</em>: the engine takes it back unless the product completes this very login
 * ({@link VerifiedLogin}, {@link LoginHook}) within the confirm window. Nothing here lets a login
 * through: the product's login, which always runs afterwards, checks everything itself.
 */
public final class Reactivation {

  private static final Logger LOG = LoggerFactory.getLogger(Reactivation.class);

  /** Cluster lock names: this prefix and one of {@link #STRIPES} numbers. */
  public static final String LOCK_PREFIX = "io.seatwarden.login.";

  /**
   * Stripes of the cluster lock. A fixed set of short ASCII names (beehive: names of at most 255
   * characters, "simple ASCII"; its database implementation keeps a row per name), never a
   * username: two users sharing a stripe only make one of them retry.
   */
  public static final int STRIPES = 64;

  /** What one attempt came to (for tests and the log; the login proceeds in every case). */
  public enum Result {
    /** Not Seatwarden's business: unknown or already active account, or no password. */
    PASSED_THROUGH,
    /** Over the node-local rate limit: nothing looked up, nothing changed. */
    THROTTLED,
    /** No login policy would give this user access back, or no safe verification applies. */
    NOT_NEEDED,
    /** Not tried now: back-off after a wrong password, or another request holds the stripe. */
    SKIPPED,
    /** The product did not accept the credentials; nothing changed. */
    NOT_VERIFIED,
    /** Credentials verified, but no login policy gave access back. */
    NOT_REACTIVATED,
    /** Credentials verified and the engine gave access back, provisionally. */
    REACTIVATED,
    /** Something failed on the way; the account is as it was. */
    FAILED
  }

  private final Seatwarden engine;
  private final LoginAccounts accounts;
  private final ActingUser actingUser;
  private final ClusterLockService locks;
  private final LongSupplier clock;
  private final LoginThrottle throttle;

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
    this.throttle = new LoginThrottle(clock);
  }

  /** The cluster lock name for {@code username}: one of {@link #STRIPES} fixed ASCII names. */
  public static String lockName(String username) {
    return LOCK_PREFIX + Math.floorMod(username.toLowerCase(Locale.ROOT).hashCode(), STRIPES);
  }

  /** Handles credentials presented for {@code username} from no known address. */
  public Result attempt(String username, String password) {
    return attempt(username, password, null);
  }

  /**
   * Handles credentials presented for {@code username} by a client at {@code address} (null when
   * unknown); never throws.
   */
  public Result attempt(String username, String password, String address) {
    if (username == null || username.isBlank() || password == null || password.isEmpty()) {
      return Result.PASSED_THROUGH;
    }
    if (!throttle.admit(username, address)) {
      return Result.THROTTLED;
    }
    try {
      Account account = accounts.account(username);
      if (!needsUs(account.state())) {
        return Result.PASSED_THROUGH;
      }
      LoginCheck check = ask(username, account);
      if (!check.verify()) {
        return check.verdict() == LoginCheck.Verdict.BACK_OFF ? Result.SKIPPED : Result.NOT_NEEDED;
      }
      ClusterLock lock = locks.getLockForName(lockName(username));
      if (!lock.tryLock()) {
        return Result.SKIPPED;
      }
      try {
        // Again under the lock: the account may have changed, and a check that just failed on
        // another request (or node) starts a back-off.
        account = accounts.account(username);
        if (!needsUs(account.state())) {
          return Result.PASSED_THROUGH;
        }
        check = ask(username, account);
        if (!check.verify()) {
          return check.verdict() == LoginCheck.Verdict.BACK_OFF
              ? Result.SKIPPED
              : Result.NOT_NEEDED;
        }
        LoginCheck.Verification how = check.verification();
        long id = actingUser.call(() -> engine.loginCheckBegan(username, how, now()));
        LoginCheckOutcome outcome = verify(username, password, how, id);
        if (outcome != LoginCheckOutcome.VERIFIED) {
          return outcome == LoginCheckOutcome.NOT_VERIFIED ? Result.NOT_VERIFIED : Result.FAILED;
        }
        accounts.resetFailedLoginCount(username);
        LoginOutcome given = actingUser.call(() -> engine.loginVerified(id, now()));
        return given.applied().isEmpty() ? Result.NOT_REACTIVATED : Result.REACTIVATED;
      } finally {
        lock.unlock();
      }
    } catch (RuntimeException e) {
      LOG.warn("Seatwarden could not handle a login of a returning user: {}", e.toString());
      return Result.FAILED;
    }
  }

  private long now() {
    return clock.getAsLong();
  }

  private LoginCheck ask(String username, Account account) {
    LoginCheck.AccountState state =
        account.state() == State.UNLICENSED
            ? LoginCheck.AccountState.UNLICENSED
            : LoginCheck.AccountState.INACTIVE;
    return actingUser.call(() -> engine.loginCheck(username, state, account.refusal(), now()));
  }

  private static boolean needsUs(State state) {
    return state == State.INACTIVE || state == State.UNLICENSED;
  }

  /**
   * Verifies the credential the way the engine chose and journals the end of check {@code id}:
   * a licence check or a proof asks Crowd once and changes nothing; a probe activates the account
   * for that one question and deactivates it again whatever the answer. If activating fails,
   * nothing changed and the check fails. If deactivating again fails (after retries), the check is
   * left open on purpose: the next scheduler tick, on any node, deactivates the account.
   */
  private LoginCheckOutcome verify(
      String username, String password, LoginCheck.Verification how, long id) {
    LoginCheckOutcome[] outcome = {LoginCheckOutcome.FAILED};
    boolean leaveOpen = false;
    try {
      if (how == LoginCheck.Verification.PROBE) {
        // One batch as the automation account: the activation and the deactivation that undoes it
        // cancel out, so the product need not recount licences for them (JiraLicenceCounts).
        actingUser.run(() -> outcome[0] = probe(username, password));
      } else {
        outcome[0] = outcome(how, accounts.check(username, password));
      }
    } catch (NotRestored stillActive) {
      // The check stays open on purpose: the next scheduler tick, on any node, deactivates.
      leaveOpen = true;
      throw stillActive;
    } finally {
      if (!leaveOpen) {
        end(id, outcome[0]);
      }
    }
    return outcome[0];
  }

  /** Activates, checks, deactivates again whatever the answer (already as the automation account). */
  private LoginCheckOutcome probe(String username, String password) {
    accounts.setActive(username, true);
    try {
      return outcome(LoginCheck.Verification.PROBE, accounts.check(username, password));
    } finally {
      restoreInactive(username);
    }
  }

  /** What Crowd's answer means for the verification the engine chose. */
  static LoginCheckOutcome outcome(LoginCheck.Verification how, Credential answer) {
    return switch (answer) {
      case ACCEPTED -> LoginCheckOutcome.VERIFIED;
      // Only where the directory refuses an inactive account after the credential (the engine
      // chose PROOF from that) does the refusal prove the password.
      case REFUSED_INACTIVE ->
          how == LoginCheck.Verification.PROOF
              ? LoginCheckOutcome.VERIFIED
              : LoginCheckOutcome.NOT_VERIFIED;
      case NOT_ACCEPTED -> LoginCheckOutcome.NOT_VERIFIED;
      case FAILED -> LoginCheckOutcome.FAILED;
    };
  }

  /** Journals the end of a check; a failure to do so is logged (the repair closes it later). */
  private void end(long check, LoginCheckOutcome outcome) {
    try {
      actingUser.run(() -> engine.loginCheckEnded(check, outcome, now()));
    } catch (RuntimeException e) {
      LOG.warn("Seatwarden could not record the end of password check {}: {}", check, e.toString());
    }
  }

  private void restoreInactive(String username) {
    RuntimeException first = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        accounts.setActive(username, false);
        return;
      } catch (RuntimeException e) {
        first = first == null ? e : first;
      }
    }
    LOG.error(
        "Seatwarden could not deactivate an account again after checking its password; the next"
            + " scheduler run will");
    throw new NotRestored(first);
  }

  /** A probed account could not be deactivated again. */
  private static final class NotRestored extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    NotRestored(RuntimeException cause) {
      super("the probed account could not be deactivated again", cause);
    }
  }
}
