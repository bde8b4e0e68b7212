package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.TICK;
import static io.seatwarden.bridge.ServiceFixtures.call;
import static io.seatwarden.bridge.ServiceFixtures.deactivationPolicy;
import static io.seatwarden.bridge.ServiceFixtures.open;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int me = t;
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < 100; i++) {
                      switch ((i + me) % 4) {
                        case 0 -> assertEquals(
                            users,
                            Fixtures.keys(
                                app.handle(
                                        ServiceFixtures.request(
                                            "GET", "/api/users", null, ServiceFixtures.ADMIN))
                                    .body()));
                        case 1 -> assertEquals(
                            "K-fresh0001", app.onLogin("fresh0001", TICK).user());
                        case 2 -> app.drive(TICK);
                        default -> app.tick(TICK);
                      }
                    }
                    return 100;
                  }));
        }
        start.countDown();
        int calls = 0;
        for (Future<Integer> r : results) {
          calls += r.get(120, TimeUnit.SECONDS);
        }
        assertEquals(THREADS * 100, calls);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void twoNodesTickingAtOnceOverOneJavaStoreRunADuePolicyOnce() throws Exception {
    InMemoryHost host = organisation(10);
    InMemoryRecordStore shared = new InMemoryRecordStore();
    try (NativeSeatwarden a = open(host, shared, ServiceFixtures.DAY0);
        NativeSeatwarden b =
            NativeSeatwarden.builder().host(host).store(shared).nodeId("node-b").open()) {
      assertEquals(201, call(a, "POST", "/api/policies", deactivationPolicy("Idle", true)).status());
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<TickReport>> ticks = new ArrayList<>();
        for (NativeSeatwarden node : List.of(a, b)) {
          ticks.add(
              pool.submit(
                  () -> {
                    start.await();
                    return node.tick(TICK);
                  }));
        }
        start.countDown();
        int runs = 0;
        for (Future<TickReport> f : ticks) {
          runs += f.get(120, TimeUnit.SECONDS).runs().size();
        }
        assertEquals(1, runs, "one run across two nodes ticking at once");
        assertEquals(10, host.applied().size(), "each idle user deactivated exactly once");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void closeRacingSixteenThreadsNeverBreaksACall() throws Exception {
    long before = NativeTesting.testOpenServices();
    for (int round = 0; round < 10; round++) {
      NativeSeatwarden app = open(organisation(5), new InMemoryRecordStore(), TICK);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> workers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          workers.add(
              pool.submit(
                  () -> {
                    start.await();
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
                  }));
        }
        start.countDown();
        Thread.sleep(round % 4);
        app.close();
        for (Future<?> worker : workers) {
          worker.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(THREADS * 50, ok.get() + refused.get());
      assertThrows(EngineClosedException.class, () -> app.tick(TICK));
    }
    assertEquals(before, NativeTesting.testOpenServices(), "every service was released");
  }
}
