package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.queryRequest;
import static io.seatwarden.bridge.Fixtures.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many threads, and close() racing calls. */
class ConcurrencyTest {
  private static final int THREADS = 16;

  private static final String[] QUERIES = {
    "{}",
    "{\"includeGroups\":[\"developers\"],\"sort\":\"lastLogin\",\"order\":\"desc\"}",
    "{\"status\":\"deactivated\"}",
    "{\"licence\":\"licensed\",\"activity\":{\"kind\":\"never\"}}",
    "{\"search\":{\"text\":\"park\"},\"selectAll\":true}",
  };

  @Test
  void sixteenThreadsQueryingConcurrentlyGetTheSameAnswersAsOne() throws Exception {
    try (Engine engine = Engine.open(snapshot())) {
      byte[][] expected = new byte[QUERIES.length][];
      for (int q = 0; q < QUERIES.length; q++) {
        expected[q] = engine.query(queryRequest(QUERIES[q]));
      }
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int offset = t;
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    for (int i = 0; i < 500; i++) {
                      int q = (i + offset) % QUERIES.length;
                      assertArrayEquals(expected[q], engine.query(queryRequest(QUERIES[q])));
                    }
                    return 500;
                  }));
        }
        start.countDown();
        int calls = 0;
        for (Future<Integer> result : results) {
          calls += result.get(60, TimeUnit.SECONDS);
        }
        assertEquals(THREADS * 500, calls);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void closeDuringACallLetsTheCallFinishThenReleasesTheEngine() throws Exception {
    long before = NativeTesting.testOpenHandles();
    Engine engine = Engine.open(snapshot());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch inside = new CountDownLatch(1);
      Future<byte[]> holding =
          pool.submit(
              () ->
                  engine.call(
                      h -> {
                        inside.countDown();
                        return NativeTesting.testHold(h, 300);
                      }));
      assertTrue(inside.await(10, TimeUnit.SECONDS));
      engine.close();
      assertTrue(engine.isClosed());
      assertThrows(EngineClosedException.class, () -> engine.query(queryRequest("{}")));
      assertEquals(before + 1, NativeTesting.testOpenHandles(), "released only after the call");
      Map<String, Object> held = Json.parseObject(Envelope.unwrap(holding.get(10, TimeUnit.SECONDS)));
      assertEquals(6L, held.get("users"));
      assertEquals(before, NativeTesting.testOpenHandles(), "released by the last call out");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void closeRacingSixteenThreadsNeverBreaksACall() throws Exception {
    long before = NativeTesting.testOpenHandles();
    for (int round = 0; round < 20; round++) {
      Engine engine = Engine.open(snapshot());
      byte[] expected = engine.query(queryRequest(QUERIES[1]));
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
                    for (int i = 0; i < 200; i++) {
                      try {
                        assertArrayEquals(expected, engine.query(queryRequest(QUERIES[1])));
                        ok.incrementAndGet();
                      } catch (EngineClosedException closed) {
                        refused.incrementAndGet();
                      }
                    }
                    return null;
                  }));
        }
        start.countDown();
        Thread.sleep(round % 5);
        engine.close();
        for (Future<?> worker : workers) {
          worker.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(THREADS * 200, ok.get() + refused.get());
      assertThrows(EngineClosedException.class, () -> engine.query(queryRequest("{}")));
    }
    assertEquals(before, NativeTesting.testOpenHandles(), "every engine was released");
  }
}
