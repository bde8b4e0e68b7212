package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.TICK;
import static io.seatwarden.bridge.ServiceFixtures.call;
import static io.seatwarden.bridge.ServiceFixtures.createPolicy;
import static io.seatwarden.bridge.ServiceFixtures.deactivationPolicy;
import static io.seatwarden.bridge.ServiceFixtures.open;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import io.seatwarden.bridge.testing.Together;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Sixteen threads in one service (each making upcalls on its own thread), and close() racing. */
class ServiceConcurrencyTest {
  private static final int THREADS = 16;

  @Test
  void sixteenThreadsCallingEveryEntryPointAtOnceAgree() throws Exception {
    InMemoryHost host = organisation(40);
    InMemoryRecordStore store = new InMemoryRecordStore();
    try (NativeSeatwarden app = open(host, store, TICK)) {
      // Logins move login counts; the page's rows (keys, in order) must not move.
      List<String> users =
          Fixtures.keys(
              app.handle(ServiceFixtures.request("GET", "/api/users", null, ServiceFixtures.ADMIN))
                  .body());
      assertEquals(20, users.size());
      List<Integer> calls =
          Together.run(
              THREADS,
              120,
              me -> {
                for (int i = 0; i < 100; i++) {
                  switch ((i + me) % 4) {
                    case 0 -> assertEquals(
                        users,
                        Fixtures.keys(
                            app.handle(
                                    ServiceFixtures.request(
                                        "GET", "/api/users", null, ServiceFixtures.ADMIN))
                                .body()));
                    case 1 -> assertEquals("K-fresh0001", app.onLogin("fresh0001", TICK).user());
                    case 2 -> app.drive(TICK);
                    default -> app.tick(TICK);
                  }
                }
                return 100;
              });
      assertEquals(THREADS * 100, calls.stream().mapToInt(Integer::intValue).sum());
    }
  }

  @Test
  void twoNodesTickingAtOnceOverOneJavaStoreRunADuePolicyOnce() throws Exception {
    InMemoryHost host = organisation(10);
    InMemoryRecordStore shared = new InMemoryRecordStore();
    try (NativeSeatwarden a = open(host, shared, ServiceFixtures.DAY0);
        NativeSeatwarden b =
            NativeSeatwarden.builder().host(host).store(shared).nodeId("node-b").open()) {
      assertEquals(201, createPolicy(a, deactivationPolicy("Idle", true)).status());
      List<NativeSeatwarden> nodes = List.of(a, b);
      List<TickReport> ticks = Together.run(2, 120, n -> nodes.get(n).tick(TICK));
      int runs = ticks.stream().mapToInt(r -> r.runs().size()).sum();
      assertEquals(1, runs, "one run across two nodes ticking at once");
      assertEquals(10, host.applied().size(), "each idle user deactivated exactly once");
    }
  }

  @Test
  void closeRacingSixteenThreadsNeverBreaksACall() throws Exception {
    long before = NativeTesting.testOpenServices();
    for (int round = 0; round < 10; round++) {
      NativeSeatwarden app = open(organisation(5), new InMemoryRecordStore(), TICK);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      try (Together<Void> workers =
          Together.start(
              THREADS,
              t -> {
                for (int i = 0; i < 50; i++) {
                  try {
                    assertEquals("K-idle0001", app.onLogin("idle0001", TICK).user());
                    assertEquals(200, call(app, "GET", "/api/users", null).status());
                    ok.incrementAndGet();
                  } catch (EngineClosedException closed) {
                    refused.incrementAndGet();
                  }
                }
                return null;
              })) {
        Thread.sleep(round % 4);
        app.close();
        workers.join(120);
      }
      assertEquals(THREADS * 50, ok.get() + refused.get());
      assertThrows(EngineClosedException.class, () -> app.tick(TICK));
    }
    assertEquals(before, NativeTesting.testOpenServices(), "every service was released");
  }
}
