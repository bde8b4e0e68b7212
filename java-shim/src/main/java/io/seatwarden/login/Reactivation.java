package io.seatwarden.login;

import com.atlassian.beehive.ClusterLock;
import com.atlassian.beehive.ClusterLockService;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.product.ActingUser;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives a returning person their account back when they log in with the right password, before
 * the product's own login refuses them (see {@code docs/login-reactivation.md}).
 *
 * <p>Order of events for a deactivated account: verify the password first (the product's own
 * check, on the briefly activated account: the "probe"), put the account back as it was, and only
 * then ask the engine, whose login policies decide and reactivate through the host. So a wrong
 * password never reaches the engine and never leaves the account active; the product's login,
 * which always runs afterwards, checks the password again itself. Nothing here lets a login
 * through: it only changes the account's state.
 */
public final class Reactivation {

  private static final Logger LOG = LoggerFactory.getLogger(Reactivation.class);

  /** No second probe for the same user this long after credentials were not accepted. */
  public static final long BACKOFF_MILLIS = 5 * 60 * 1000L;

  /** How long a login waits for another node probing the same user. */
  static final long LOCK_WAIT_MILLIS = 2000;

  /** Per-user cluster lock names start with this (lower-cased username follows). */
  public static final String LOCK_PREFIX = "io.seatwarden.login.";

  /** What one attempt came to (for tests and the log; the login proceeds in every case). */
  public enum Result {
    /** Not Seatwarden's business: unknown or already active account, or no password. */
    PASSED_THROUGH,
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
  private final Map<String, Long> backoffUntil = new ConcurrentHashMap<>();

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
      Long until = backoffUntil.get(name);
      if (until != null && clock.getAsLong() < until) {
        return Result.SKIPPED;
      }
      if (accounts.elevatedSecurityRequired(username)) {
        return Result.SKIPPED;
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
        boolean verified =
            state == LoginAccounts.State.INACTIVE
                ? probe(username, password)
                : accounts.verifyPassword(username, password);
        if (!verified) {
          backoffUntil.put(name, clock.getAsLong() + BACKOFF_MILLIS);
          return Result.NOT_VERIFIED;
        }
        backoffUntil.remove(name);
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

  private static boolean needsUs(LoginAccounts.State state) {
    return state == LoginAccounts.State.INACTIVE || state == LoginAccounts.State.UNLICENSED;
  }

  /**
   * Verifies the password of a deactivated account: activates it for the length of one password
   * check by the product and deactivates it again whatever the result. If activating fails,
   * nothing changed and the attempt fails.
   */
  private boolean probe(String username, String password) {
    actingUser.run(() -> accounts.setActive(username, true));
    boolean verified = false;
    try {
      verified = accounts.verifyPassword(username, password);
    } finally {
      restoreInactive(username);
    }
    return verified;
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
    LOG.error("Seatwarden could not deactivate an account again after checking its password");
    throw first;
  }
}
