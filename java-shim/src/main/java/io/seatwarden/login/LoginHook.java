package io.seatwarden.login;

import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.product.ActingUser;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the products' login listeners call: tells the engine a user logged in.
 *
 * <p>Runs on the login request's thread, whose acting user is the person logging in, so the call
 * runs as the automation account (a login policy may change the account through the host). A
 * failure is logged and swallowed: Seatwarden must never break a login.
 *
 * <p>The login that completes a verified reactivation ({@link VerifiedLogin}: the same request)
 * always reaches the engine, as {@link Seatwarden#loginCompleted}. Every other login is debounced
 * per user: the products publish a login event for each Basic-auth API call, and a script making
 * hundreds of calls a minute must not cost a native call and store reads each time; one per user
 * per {@link #DEBOUNCE_MILLIS} is all the login policies need (a login time to the minute).
 */
public final class LoginHook {

  private static final Logger LOG = LoggerFactory.getLogger(LoginHook.class);

  /** At most one plain login per user reaches the engine in this long. */
  public static final long DEBOUNCE_MILLIS = 60_000;

  /** Users remembered for the debounce at most (then expired ones are dropped). */
  static final int MAX_REMEMBERED = 50_000;

  private final Seatwarden engine;
  private final ActingUser actingUser;
  private final LongSupplier clock;
  private final Map<String, Long> lastForwarded = new ConcurrentHashMap<>();

  /** A hook over the engine. */
  public LoginHook(Seatwarden engine, ActingUser actingUser, LongSupplier clock) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.actingUser = Objects.requireNonNull(actingUser, "actingUser");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** {@code username} just logged in. */
  public void loggedIn(String username) {
    if (username == null || username.isBlank()) {
      return;
    }
    boolean completes = VerifiedLogin.isFor(username);
    if (!completes && debounced(username.toLowerCase(Locale.ROOT), clock.getAsLong())) {
      return;
    }
    try {
      if (completes) {
        actingUser.call(() -> engine.loginCompleted(username, clock.getAsLong()));
      } else {
        actingUser.call(() -> engine.onLogin(username, clock.getAsLong()));
      }
    } catch (EngineClosedException stopping) {
      // The plugin is being disabled.
    } catch (RuntimeException e) {
      LOG.warn("Seatwarden's login policies failed for a login: {}", e.toString());
    }
  }

  /** Whether a plain login of {@code name} at {@code now} is skipped; records it if not. */
  private boolean debounced(String name, long now) {
    if (lastForwarded.size() >= MAX_REMEMBERED) {
      lastForwarded.values().removeIf(at -> now - at >= DEBOUNCE_MILLIS || now < at);
    }
    boolean[] skip = {false};
    lastForwarded.compute(
        name,
        (k, at) -> {
          if (at != null && now - at < DEBOUNCE_MILLIS && now >= at) {
            skip[0] = true;
            return at;
          }
          return now;
        });
    return skip[0];
  }
}
