package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Operation;
import io.seatwarden.login.FakeCrowd.Kind;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.store.FakeClusterLockService;
import io.seatwarden.web.FakeHttp;
import io.seatwarden.web.ServletApi;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What an anonymous client can make the login path cost: 1,000 wrong passwords for one in-scope
 * deactivated user (a cached connector, so the engine would verify) and 1,000 for unknown users,
 * through the filter. The product fake must see no user update and no licence recount, every
 * request must reach the product's login exactly once with nothing written to the response, and
 * the two groups' times are reported (never asserted: speed is measured, not tested).
 */
class AnonymousCostTest {

  private static final int ATTEMPTS = 1_000;
  private static final int WARM_UP = 200;

  @Test
  void wrongPasswordsCostTheProductNothingAndLookTheSameForKnownAndUnknownUsers()
      throws Exception {
    FakeActingUser acting = new FakeActingUser();
    FakeSeatwarden engine = new FakeSeatwarden(acting);
    FakeCrowd crowd = new FakeCrowd(acting);
    crowd.user("target", "the-right-one", Kind.CONNECTOR, false, true);
    engine.onLoginAnswer =
        (user, at) -> {
          crowd.giveAccessBack(user);
          return new LoginOutcome(
              "k", List.of(new Operation.Activate("k")), List.of(), List.of());
        };
    AtomicLong now = new AtomicLong(1_700_000_000_000L);
    Reactivation reactivation =
        new Reactivation(engine, crowd, acting, new FakeClusterLockService(), now::get);
    ReactivationFilter filter = new ReactivationFilter(() -> Optional.of(reactivation));
    ServletApi.init(filter, Map.of("login-paths", "/login.jsp"));
    AtomicInteger chained = new AtomicInteger();
    ServletApi.Chain chain = (req, res) -> chained.incrementAndGet();

    long[] known = new long[ATTEMPTS];
    long[] unknown = new long[ATTEMPTS];
    for (int i = -WARM_UP; i < ATTEMPTS; i++) {
      // Interleaved, so both groups see the same JIT and machine load.
      long a = timed(filter, chain, "target", "guess" + i, i);
      long b = timed(filter, chain, "nobody" + i, "guess" + i, i);
      if (i >= 0) {
        known[i] = a;
        unknown[i] = b;
      }
      now.addAndGet(1_000); // one attempt per second per group
    }

    assertEquals(0, crowd.userUpdates.get(), "no user update");
    assertEquals(0, crowd.licenceFlushes.get(), "no licence recount");
    assertFalse(crowd.active("target"));
    assertEquals(List.of(), engine.logins, "no access given back");
    assertEquals(2 * (ATTEMPTS + WARM_UP), chained.get(), "each request reached the login once");
    assertTrue(
        engine.loginCalls.stream().noneMatch(c -> c.contains("nobody")),
        "unknown users never reach the engine");

    System.out.println("login filter, wrong password, µs per request (1,000 each):");
    System.out.println("  in-scope deactivated user: " + summary(known));
    System.out.println("  unknown users:             " + summary(unknown));
    System.out.println(
        "  credential checks for the in-scope user: "
            + crowd.log.stream().filter(l -> l.startsWith("authenticate")).count());
  }

  private static long timed(
      ReactivationFilter filter, ServletApi.Chain chain, String user, String password, int i)
      throws Exception {
    FakeHttp.Request request = new FakeHttp.Request().method("POST").path("/login.jsp");
    request.contentType = "application/x-www-form-urlencoded";
    request.params.put("os_username", user);
    request.params.put("os_password", password);
    request.remoteAddr = "198.51.100." + Math.floorMod(i, 250);
    FakeHttp.Response response = new FakeHttp.Response();
    long start = System.nanoTime();
    ServletApi.doFilter(filter, request.build(), response.build(), chain);
    long took = System.nanoTime() - start;
    assertEquals(200, response.status);
    assertEquals(0, response.body.size(), "the filter never answers the request itself");
    return took;
  }

  private static String summary(long[] nanos) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    return String.format(
        "min %.1f  p50 %.1f  p90 %.1f  p99 %.1f  max %.1f",
        s[0] / 1e3,
        s[s.length / 2] / 1e3,
        s[s.length * 9 / 10] / 1e3,
        s[s.length * 99 / 100] / 1e3,
        s[s.length - 1] / 1e3);
  }

}
