package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.sal.api.user.UserKey;
import com.atlassian.sal.api.user.UserManager;
import io.seatwarden.activity.SeenFilter;
import io.seatwarden.activity.SeenMark;
import io.seatwarden.activity.SeenRecorder;
import io.seatwarden.web.FakeHttp;
import io.seatwarden.web.ServletApi;
import java.lang.reflect.Proxy;
import java.util.IdentityHashMap;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 23's promise, end to end through the library Java loads: a person who for 120 days only
 * comes back through a remember-me cookie (one old login, then sessions the cookie re-opens) or a
 * personal access token (no login at all) is seen by the filter every day and is never a candidate
 * of a 90-day policy, while someone idle by every signal is.
 */
class SeenSignalPlanTest {
  static final long DAY_MS = 86_400_000L;
  /** 2026-11-21T02:00:00Z, the evaluation instant. */
  static final long NOW = 1_795_226_400_000L;

  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  /** A clock the test moves day by day. */
  static final class DayClock extends Clock {
    final AtomicLong millis = new AtomicLong();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public long millis() {
      return millis.get();
    }
  }

  /**
   * SAL's answer after the product authenticated the request: the cookie's or token's user (the
   * key the product would have resolved, registered per request object; the fake names no servlet
   * type, so this test runs against both jars' classes).
   */
  static UserManager authenticatedBy(Map<Object, String> keys) {
    return (UserManager)
        Proxy.newProxyInstance(
            SeenSignalPlanTest.class.getClassLoader(),
            new Class<?>[] {UserManager.class},
            (self, m, args) ->
                switch (m.getName()) {
                  case "getRemoteUserKey" -> {
                    String key = keys.get(args[0]);
                    yield key == null ? null : new UserKey(key);
                  }
                  case "isSystemAdmin" -> false;
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }

  @Test
  void rememberMeAndTokenUsersAreNeverCandidatesOfANinetyDayPolicy() throws Exception {
    DayClock clock = new DayClock();
    SeenRecorder recorder = new SeenRecorder();
    Map<Object, String> keys = new IdentityHashMap<>();
    SeenFilter filter = SeenFilter.withClock(authenticatedBy(keys), recorder, clock);
    Map<String, Long> store = new HashMap<>();
    AtomicInteger passedOn = new AtomicInteger();
    long installed = NOW - 120 * DAY_MS;
    for (long t = installed; t <= NOW; t += DAY_MS) {
      clock.millis.set(t);
      // The remember-me cookie re-opens a session; the token calls the REST API.
      Object cookie =
          new FakeHttp.Request()
              .path("/secure/Dashboard.jspa")
              .header("cookie", "seraph.rememberme.cookie=opaque")
              .build();
      Object token =
          new FakeHttp.Request()
              .path("/rest/api/2/search")
              .header("authorization", "Bearer opaque")
              .build();
      keys.put(cookie, "JIRAUSER10001");
      keys.put(token, "JIRAUSER10002");
      Object anonymous = new FakeHttp.Request().path("/login.jsp").build();
      for (Object r : List.of(cookie, token, cookie, anonymous)) {
        ServletApi.doFilter(
            filter, r, new FakeHttp.Response().build(), (q, s) -> passedOn.incrementAndGet());
      }
      recorder.flush(
          batch -> {
            for (SeenMark m : batch) {
              store.merge(m.userKey(), m.epochDay(), Math::max);
            }
          },
          Math.floorDiv(t, DAY_MS));
    }
    assertEquals(121 * 4, passedOn.get(), "every request goes on, exactly once");
    assertEquals(2, store.size(), "anonymous requests mark nobody");

    String plan = evaluate(installed, store);
    Map<String, Object> actual = Json.parseObject(plan.getBytes(StandardCharsets.UTF_8));
    assertEquals(List.of("JIRAUSER10003 deactivate"), actual.get("operations"), plan);
    assertEquals("ready", actual.get("status"), plan);
  }

  /** The plan of a live 90-day deactivation over the three users and the stored seen days. */
  private static String evaluate(long installed, Map<String, Long> seenDays) {
    long oldLogin = NOW - 120 * DAY_MS;
    String users =
        String.join(
            ",",
            user("JIRAUSER10001", "cookie.user", Long.toString(oldLogin), seenDays),
            user("JIRAUSER10002", "token.user", "null", seenDays),
            user("JIRAUSER10003", "idle.user", Long.toString(oldLogin), seenDays),
            user("JIRAUSER10004", "form.user", Long.toString(NOW - DAY_MS), seenDays));
    String scenario =
        """
        {"name": "seen-signal", "kind": "plan", "now": "2026-11-21T02:00:00Z",
         "config": {"version": 1, "policies": [{"id": "deactivate-90", "mode": "live",
            "condition": {"kind": "inactive", "days": 90, "neverLoggedInDays": 30},
            "action": {"kind": "deactivate"}}]},
         "snapshot": {"format": "seatwarden-snapshot", "version": 1,
           "header": {"takenAt": %d, "directories": [{"id": 1, "name": "Internal", "kind": "internal",
              "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                               "createUser": true, "updateMembership": true}}],
              "groups": [{"name": "jira-software-users", "licence": true}],
              "signals": [{"kind": "seen", "since": %d}]},
           "pages": [{"users": [%s]}]}}
        """
            .formatted(NOW, installed, users);
    return new String(
        Envelope.unwrap(NativeTesting.testGolden(scenario.getBytes(StandardCharsets.UTF_8))),
        StandardCharsets.UTF_8);
  }

  private static String user(String key, String name, String lastLogin, Map<String, Long> seen) {
    Long day = seen.get(key);
    String seenAt = day == null ? "null" : Long.toString(day * DAY_MS);
    return """
        {"key": "%s", "username": "%s", "directoryId": 1, "active": true, "created": %d,
         "lastLogin": %s, "groups": ["jira-software-users"], "activity": [%s]}"""
        .formatted(key, name, NOW - 400 * DAY_MS, lastLogin, seenAt);
  }
}
