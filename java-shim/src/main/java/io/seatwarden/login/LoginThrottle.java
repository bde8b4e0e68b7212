package io.seatwarden.login;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A node-local brake on the login filter, checked before any database or product call: at most
 * {@link #PER_USER} attempts per username and {@link #PER_ADDRESS} per client address in each
 * window of {@link #WINDOW_MILLIS}. An attempt over either limit is passed on untouched (the
 * product's own login still runs and refuses a deactivated account), so an anonymous flood costs
 * a map look-up, not a user update, a licence recount or a journal write.
 *
 * <p>Per username so that guessing one user's password through the filter is no faster than the
 * engine's back-off allows; per address so that one client cannot walk through many usernames.
 * The per-address limit is generous because many people may share a proxy's address. The maps
 * are bounded: past {@link #MAX_KEYS} keys, expired windows are dropped, and if that is not
 * enough the attempt is refused (fail closed: refusing costs nobody their account).
 */
public final class LoginThrottle {

  /** The window the counts cover. */
  public static final long WINDOW_MILLIS = 60_000;

  /** Attempts per username and window. */
  public static final int PER_USER = 5;

  /** Attempts per client address and window. */
  public static final int PER_ADDRESS = 60;

  /** Keys each map holds at most. */
  static final int MAX_KEYS = 50_000;

  private record Window(long start, int count) {}

  private final Map<String, Window> users = new ConcurrentHashMap<>();
  private final Map<String, Window> addresses = new ConcurrentHashMap<>();
  private final LongSupplier clock;

  /** A throttle over {@code clock} (epoch ms). */
  public LoginThrottle(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * Counts one attempt; whether it may go on. Both counts are taken, so a refused username still
   * counts against its address.
   */
  public boolean admit(String username, String address) {
    long now = clock.getAsLong();
    boolean user = take(users, username.toLowerCase(Locale.ROOT), PER_USER, now);
    boolean client = address == null || take(addresses, address, PER_ADDRESS, now);
    return user && client;
  }

  private static boolean take(Map<String, Window> map, String key, int limit, long now) {
    if (map.size() >= MAX_KEYS && !map.containsKey(key)) {
      prune(map, now);
      if (map.size() >= MAX_KEYS) {
        return false;
      }
    }
    Window w =
        map.compute(
            key,
            (k, old) ->
                old == null || now - old.start() >= WINDOW_MILLIS || now < old.start()
                    ? new Window(now, 1)
                    : new Window(old.start(), old.count() + 1));
    return w.count() <= limit;
  }

  private static void prune(Map<String, Window> map, long now) {
    for (Iterator<Window> it = map.values().iterator(); it.hasNext(); ) {
      Window w = it.next();
      if (now - w.start() >= WINDOW_MILLIS || now < w.start()) {
        it.remove();
      }
    }
  }
}
