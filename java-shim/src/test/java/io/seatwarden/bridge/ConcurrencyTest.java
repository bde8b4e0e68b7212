package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.queryRequest;
import static io.seatwarden.bridge.Fixtures.snapshot;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.testing.Together;
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
      List<Integer> calls =
          Together.run(
              THREADS,
              60,
              offset -> {
                for (int i = 0; i < 500; i++) {
                  int q = (i + offset) % QUERIES.length;
                  assertArrayEquals(expected[q], engine.query(queryRequest(QUERIES[q])));
                }
                return 500;
              });
      assertEquals(THREADS * 500, calls.stream().mapToInt(Integer::intValue).sum());
    }
  }

  @Test
  void closeDuringACallLetsTheCallFinishThenReleasesTheEngine() throws Exception {
    long before = NativeTesting.testOpenHandles();
    Engine engine = Engine.open(snapshot());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      // The call stays inside until this test lets it go: a fixed hold time
      // could run out on a busy machine before close() is even reached.
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Future<byte[]> holding =
          pool.submit(
              () ->
                  engine.call(
                      h -> {
                        inside.countDown();
                        awaitOrFail(release);
                        return NativeTesting.testHold(h, 0);
                      }));
      assertTrue(inside.await(60, TimeUnit.SECONDS));
      engine.close();
      assertTrue(engine.isClosed());
      assertThrows(EngineClosedException.class, () -> engine.query(queryRequest("{}")));
      assertEquals(before + 1, NativeTesting.testOpenHandles(), "released only after the call");
      release.countDown();
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
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger refused = new AtomicInteger();
      try (Together<Void> workers =
          Together.start(
              THREADS,
              t -> {
                for (int i = 0; i < 200; i++) {
                  try {
                    assertArrayEquals(expected, engine.query(queryRequest(QUERIES[1])));
                    ok.incrementAndGet();
                  } catch (EngineClosedException closed) {
                    refused.incrementAndGet();
                  }
                }
                return null;
              })) {
        Thread.sleep(round % 5);
        engine.close();
        workers.join(60);
      }
      assertEquals(THREADS * 200, ok.get() + refused.get());
      assertThrows(EngineClosedException.class, () -> engine.query(queryRequest("{}")));
    }
    assertEquals(before, NativeTesting.testOpenHandles(), "every engine was released");
  }

  private static void awaitOrFail(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the call");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
