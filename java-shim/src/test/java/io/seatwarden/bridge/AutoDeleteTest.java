package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.DAY;
import static io.seatwarden.bridge.ServiceFixtures.DAY0;
import static io.seatwarden.bridge.ServiceFixtures.call;
import static io.seatwarden.bridge.ServiceFixtures.createPolicy;
import static io.seatwarden.bridge.ServiceFixtures.deactivationPolicy;
import static io.seatwarden.bridge.ServiceFixtures.open;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static io.seatwarden.bridge.ServiceFixtures.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.ServiceFixtures.Answer;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 18, item 1: inside Jira and Confluence the host knows no deactivation time, so a "delete
 * users deactivated for N days" policy works only from Seatwarden's own audit trail (read from
 * the Java record store). Before the fix every candidate was skipped as {@code
 * deactivation_time_unknown} and nobody was ever deleted.
 */
class AutoDeleteTest {
  private static final String DELETE_AFTER_30 =
      "{\"name\":\"Delete deactivated\",\"mode\":\"live\","
          + "\"condition\":{\"kind\":\"deactivated\",\"days\":30},"
          + "\"action\":{\"kind\":\"delete\"}}";

  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  /** Runs a policy now, drives it to the end at {@code now} and answers the run. */
  private static Answer runNow(NativeSeatwarden app, Object policy, long now) {
    Answer started = call(app, "POST", "/api/policies/" + policy + "/run", null);
    assertEquals(202, started.status(), started.toString());
    int slices = 0;
    while (app.drive(now)) {
      slices++;
      assertTrue(slices < 1000, "drive never finished");
    }
    Answer run = call(app, "GET", "/api/runs/" + path(started.json(), "runId"), null);
    assertEquals(200, run.status(), run.toString());
    return run;
  }

  private static Set<String> deleted(InMemoryHost host) {
    return host.applied().stream()
        .filter(op -> op instanceof Operation.Delete)
        .map(op -> ((Operation.Delete) op).user())
        .collect(Collectors.toSet());
  }

  @Test
  void usersSeatwardenDeactivatedAreDeletedFromTheAuditedTimeThroughTheJavaHostAndStore() {
    InMemoryHost host = organisation(3).untimedDeactivations();
    InMemoryRecordStore store = new InMemoryRecordStore();
    long t0 = DAY0 + DAY;
    try (NativeSeatwarden app = open(host, store, DAY0)) {
      Object deactivate =
          path(createPolicy(app, deactivationPolicy("Idle", true)).json(),
              "policy", "id");
      Answer created = createPolicy(app, DELETE_AFTER_30);
      assertEquals(201, created.status(), created.toString());
      Object delete = path(created.json(), "policy", "id");

      Answer first = runNow(app, deactivate, t0);
      assertEquals(3L, path(first.json(), "run", "counts", "succeeded"), first.toString());
      assertEquals(null, host.peek("K-idle0000").orElseThrow().deactivatedAt());

      // Ten days on: the users Seatwarden deactivated were deactivated too recently; the two the
      // fixture gave a host deactivation time 300 days ago go.
      host.setTime(t0 + 10 * DAY);
      host.recordLogin("fresh0000", t0 + 10 * DAY);
      Answer early = runNow(app, delete, t0 + 10 * DAY);
      assertEquals("succeeded", path(early.json(), "run", "status"), early.toString());
      assertEquals(Set.of("K-gone0000", "K-gone0001"), deleted(host));

      // Thirty-one days on: the users Seatwarden deactivated are deleted too, from the audited time.
      host.setTime(t0 + 31 * DAY);
      host.recordLogin("fresh0000", t0 + 31 * DAY);
      Answer due = runNow(app, delete, t0 + 31 * DAY);
      assertEquals("succeeded", path(due.json(), "run", "status"), due.toString());
      assertEquals(
          Set.of("K-gone0000", "K-gone0001", "K-idle0000", "K-idle0001", "K-idle0002"),
          deleted(host));
      assertTrue(host.peek("K-idle0000").isEmpty());
      assertTrue(host.peek("K-fresh0000").isPresent());
    }
  }
}
