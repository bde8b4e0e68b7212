package io.seatwarden.login;

import java.util.Locale;

/**
 * Ties the product's login event to the request whose credentials the filter verified.
 *
 * <p>Access given back at login stands only if the product completes <em>that</em> login. The
 * filter marks the request thread with the username while the rest of the chain (the product's own
 * login) runs; the products publish their login event synchronously on that thread, so the
 * listener can tell "the login Seatwarden verified completed" from any other login of the same
 * user (a token, a script, a remember-me cookie), which proves nothing about the verified
 * credentials. Assumption to check on a real instance: the event is published on the request
 * thread (see {@code docs/login-reactivation.md} §4).
 */
public final class VerifiedLogin {

  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private VerifiedLogin() {}

  /** Marks this thread's request as the verified login of {@code username} until closed. */
  public static Scope open(String username) {
    String previous = CURRENT.get();
    CURRENT.set(username.toLowerCase(Locale.ROOT));
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** Whether this thread is in the verified login of {@code username}. */
  public static boolean isFor(String username) {
    String current = CURRENT.get();
    return current != null && username != null && current.equals(username.toLowerCase(Locale.ROOT));
  }

  /** Ends the mark; never throws. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
