package io.seatwarden.bridge;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * Runs a host's header and first page, written by the codec the JNI host uses, through the
 * library's evaluator as a live 90-day deactivation: the hosts' tests use it to show what the
 * engine decides from what they read, not only what they read.
 */
public final class HostPlans {
  private HostPlans() {}

  /** The parsed plan of {@code deactivate-90} over {@code host}'s first 100 users at {@code now}. */
  public static Map<String, Object> liveDeactivate90(Host host, long now) {
    // Loads the library (the testing build) before its test-only entry point is called.
    if (!Engine.libraryInfo().testing()) {
      throw new IllegalStateException("the tests need the library's testing build");
    }
    JsonWriter h = new JsonWriter();
    Codec.header(h, host.header());
    JsonWriter p = new JsonWriter();
    Codec.pageOnly(p, host.users(null, 100));
    String scenario =
        """
        {"name": "host-plan", "kind": "plan", "now": "%s",
         "config": {"version": 1, "policies": [{"id": "deactivate-90", "mode": "live",
            "condition": {"kind": "inactive", "days": 90}, "action": {"kind": "deactivate"}}]},
         "snapshot": {"format": "seatwarden-snapshot", "version": 1, "header": %s, "pages": [%s]}}
        """
            .formatted(
                Instant.ofEpochMilli(now),
                new String(h.toBytes(), StandardCharsets.UTF_8),
                new String(p.toBytes(), StandardCharsets.UTF_8));
    byte[] plan = Envelope.unwrap(NativeTesting.testGolden(scenario.getBytes(StandardCharsets.UTF_8)));
    return Json.parseObject(plan);
  }
}
