package io.seatwarden.login;

import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.product.ActingUser;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the products' login listeners call: tells the engine a user logged in.
 *
 * <p>Runs on the login request's thread, whose acting user is the person logging in, so the call
 * runs as the automation account (a login policy may change the account through the host). A
 * failure is logged and swallowed: Seatwarden must never break a login.
 */
public final class LoginHook {

  private static final Logger LOG = LoggerFactory.getLogger(LoginHook.class);

  private final Seatwarden engine;
  private final ActingUser actingUser;
  private final LongSupplier clock;

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
    try {
      actingUser.call(() -> engine.onLogin(username, clock.getAsLong()));
    } catch (EngineClosedException stopping) {
      // The plugin is being disabled.
    } catch (RuntimeException e) {
      LOG.warn("Seatwarden's login policies failed for a login: {}", e.toString());
    }
  }
}
