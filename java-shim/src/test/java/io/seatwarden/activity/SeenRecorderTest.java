package io.seatwarden.activity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The seen signal's debounce and flush (docs/activity.md §4.3): at most one mark per user per day
 * per node under contention, bounded memory, a restart loses only the unflushed marks, a failed
 * flush keeps its marks. Every wait is on state (barriers, latches, joins), never on time.
 */
class SeenRecorderTest {
  static final long DAY = 20_400;

  /** A store that keeps the maximum day per user and counts every mark it receives. */
  static final class MaxStore implements SeenSink {
    final Map<String, Long> days = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();

    @Override
    public void write(List<SeenMark> batch) {
      assertTrue(batch.size() <= SeenRecorder.BATCH, "batch of " + batch.size());
      for (SeenMark m : batch) {
        days.merge(m.userKey(), m.epochDay(), Math::max);
        writes.computeIfAbsent(m.userKey() + "@" + m.epochDay(), k -> new AtomicInteger())
            .incrementAndGet();
      }
    }
  }

  /** Waits for every party of {@code barrier}. */
  static void await(CyclicBarrier barrier) {
    try {
      barrier.await();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void sixteenThreadsWriteAtMostOneMarkPerUserPerDay() throws Exception {
    SeenRecorder recorder = new SeenRecorder();
    MaxStore store = new MaxStore();
    int threads = 16;
    int users = 3_000;
    CyclicBarrier start = new CyclicBarrier(threads + 1);
    AtomicInteger firsts = new AtomicInteger();
    AtomicBoolean marking = new AtomicBoolean(true);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int offset = t;
      Thread w =
          new Thread(
              () -> {
                await(start);
                // Every thread sees every user many times, in a different order.
                for (int round = 0; round < 20; round++) {
                  for (int u = 0; u < users; u++) {
                    String key = "JIRAUSER" + ((u + offset * 97 + round) % users);
                    if (recorder.seen(key, DAY)) {
                      firsts.incrementAndGet();
                    }
                  }
                }
              });
      workers.add(w);
      w.start();
    }
    // A flusher runs while the threads mark, as the scheduled flush would.
    Thread flusher =
        new Thread(
            () -> {
              await(start);
              while (marking.get()) {
                recorder.flush(store, DAY);
              }
            });
    flusher.start();
    for (Thread w : workers) {
      w.join();
    }
    marking.set(false);
    flusher.join();
    recorder.flush(store, DAY);

    assertEquals(users, firsts.get(), "one first mark per user and day");
    assertEquals(users, store.days.size());
    for (Map.Entry<String, AtomicInteger> e : store.writes.entrySet()) {
      assertEquals(1, e.getValue().get(), "marks written for " + e.getKey());
    }
    assertEquals(0, recorder.pendingCount());
    // The next day marks each user once more.
    assertTrue(recorder.seen("JIRAUSER1", DAY + 1));
    assertFalse(recorder.seen("JIRAUSER1", DAY + 1));
    assertFalse(recorder.seen("JIRAUSER1", DAY), "an older day never marks again");
  }

  @Test
  void aRestartLosesAtMostTheUnflushedMarks() {
    MaxStore store = new MaxStore();
    SeenRecorder before = new SeenRecorder();
    for (int u = 0; u < 100; u++) {
      before.seen("U" + u, DAY);
    }
    assertEquals(100, before.flush(store, DAY));
    for (int u = 100; u < 150; u++) {
      before.seen("U" + u, DAY);
    }
    int unflushed = before.pendingCount();
    assertEquals(50, unflushed);
    // The node restarts: the recorder (memory) is gone, the store is not.
    SeenRecorder after = new SeenRecorder();
    assertEquals(100, store.days.size());
    for (int u = 0; u < 150; u++) {
      boolean inStore = store.days.containsKey("U" + u);
      assertEquals(u < 100, inStore, "U" + u);
    }
    // Lost: exactly the unflushed marks, and the next request marks them again.
    assertTrue(after.seen("U120", DAY));
    assertTrue(after.seen("U5", DAY), "the debounce map restarts empty: one more mark");
    assertEquals(2, after.flush(store, DAY));
    assertEquals(DAY, store.days.get("U5"), "the store keeps the maximum day");
  }

  @Test
  void aFailedFlushKeepsItsMarksForTheNext() {
    SeenRecorder recorder = new SeenRecorder();
    for (int u = 0; u < 2_500; u++) {
      recorder.seen("U" + u, DAY);
    }
    AtomicInteger calls = new AtomicInteger();
    MaxStore store = new MaxStore();
    SeenSink failsSecond =
        batch -> {
          if (calls.incrementAndGet() == 2) {
            throw new IllegalStateException("database unavailable");
          }
          store.write(batch);
        };
    assertThrows(IllegalStateException.class, () -> recorder.flush(failsSecond, DAY));
    assertEquals(SeenRecorder.BATCH, store.days.size());
    assertEquals(2_500 - SeenRecorder.BATCH, recorder.pendingCount());
    assertEquals(2_500 - SeenRecorder.BATCH, recorder.flush(store, DAY));
    assertEquals(2_500, store.days.size());
  }

  @Test
  void memoryIsBoundedAndOldDaysAreForgottenAtFlush() {
    SeenRecorder recorder = new SeenRecorder(1_000);
    int made = 0;
    for (int u = 0; u < 1_500; u++) {
      if (recorder.seen("U" + u, DAY)) {
        made++;
      }
    }
    assertEquals(1_000, made);
    assertEquals(1_000, recorder.trackedCount());
    assertEquals(500, recorder.dropped());
    MaxStore store = new MaxStore();
    recorder.flush(store, DAY + 1);
    assertEquals(0, recorder.trackedCount(), "yesterday's marks leave the debounce map");
    assertEquals(0, recorder.pendingCount());
    assertTrue(recorder.seen("U1400", DAY + 1), "room again after the flush");
  }

  @Test
  void badKeysAreIgnored() {
    SeenRecorder recorder = new SeenRecorder();
    assertFalse(recorder.seen(null, DAY));
    assertFalse(recorder.seen("", DAY));
    assertEquals(0, recorder.pendingCount());
    assertThrows(IllegalArgumentException.class, () -> new SeenRecorder(0));
  }

  @Test
  void theLatchedFilterPathMarksOnce() throws Exception {
    // Many requests of one user released together: one mark.
    SeenRecorder recorder = new SeenRecorder();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    AtomicInteger wins = new AtomicInteger();
    for (int i = 0; i < 16; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                if (recorder.seen("JIRAUSER10100", DAY)) {
                  wins.incrementAndGet();
                }
              });
      threads.add(t);
      t.start();
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(1, wins.get());
    assertEquals(1, recorder.pendingCount());
  }
}
