package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.activity.AoCoveredDays;
import io.seatwarden.activity.AoSeenStore;
import io.seatwarden.activity.CoveredDays;
import io.seatwarden.activity.SeenFlushJob;
import io.seatwarden.activity.SeenHost;
import io.seatwarden.activity.SeenRecorder;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.store.FakeActiveObjects;
import io.seatwarden.store.FakeClusterLockService;
import io.seatwarden.store.SeenCoveredRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import net.java.ao.Query;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seen recorder's covered days (docs/activity.md, "Gaps"): the node-local flush job records
 * each day it runs, once a day per node, in one shared row per day; {@link SeenHost} declares the
 * days without a row as gaps; the library then counts only the covered days, so a live run on
 * users the gap could hide needs approval. Every node, restart and day here is driven by the test
 * (a clock it sets, barriers and joins), never by waiting.
 */
class SeenCoverageTest {
  static final long DAY_MS = 86_400_000L;
  /** 2026-11-21T02:00:00Z, the evaluation instant. */
  static final long NOW = 1_795_226_400_000L;

  static final long TODAY = Math.floorDiv(NOW, DAY_MS);
  /** Day 0: the day the 90-day threshold reaches back to. */
  static final long DAY0 = TODAY - 90;

  static final String LOCK = "io.seatwarden.seen-covered";

  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  /** The product: a token user (old login, seen daily), an idle one, a daily form login. */
  static InMemoryHost product() {
    return SeenHostTest.product();
  }

  /** The tables every node shares (one product database) and the cluster's locks. */
  static final class Cluster {
    final FakeActiveObjects ao = new FakeActiveObjects();
    final FakeClusterLockService locks = new FakeClusterLockService();

    int coveredRows() {
      return ao.count(SeenCoveredRow.class, Query.select());
    }

    SeenHost host() {
      return new SeenHost(product(), new AoSeenStore(ao), new AoCoveredDays(ao, locks));
    }
  }

  /** Covered days that count the calls reaching the store. */
  static final class Counting implements CoveredDays {
    final CoveredDays store;
    final AtomicInteger covers = new AtomicInteger();

    Counting(CoveredDays store) {
      this.store = store;
    }

    @Override
    public void cover(long epochDay) {
      covers.incrementAndGet();
      store.cover(epochDay);
    }

    @Override
    public NavigableSet<Long> days() {
      return store.days();
    }
  }

  /** One node: its own memory (recorder, job, clock) over the cluster's tables. */
  static final class Node {
    final SeenRecorder recorder = new SeenRecorder();
    final AtomicLong clock = new AtomicLong();
    final Counting covered;
    final SeenFlushJob job;

    Node(Cluster cluster) {
      covered = new Counting(new AoCoveredDays(cluster.ao, cluster.locks));
      job = new SeenFlushJob(recorder, new AoSeenStore(cluster.ao), covered, clock::get);
    }

    /**
     * Days {@code from..to} with the plugin enabled except on {@code off}: the token user's
     * requests pass the filter, and the flush job runs three times a day (every interval).
     */
    void run(long from, long to, Set<Long> off) {
      for (long day = from; day <= to; day++) {
        if (off.contains(day)) {
          continue;
        }
        for (int run = 1; run <= 3; run++) {
          clock.set(day * DAY_MS + run * SeenFlushJob.INTERVAL_MILLIS);
          recorder.seen("JIRAUSER1", day);
          job.flush();
        }
      }
    }
  }

  @Test
  void aRecorderOffForDaysThreeToFiveYieldsExactlyThatGapInThePlan() {
    Cluster cluster = new Cluster();
    // Recording since 30 days before day 0; the plugin disabled on days 3, 4 and 5.
    new Node(cluster).run(DAY0 - 30, TODAY, Set.of(DAY0 + 3, DAY0 + 4, DAY0 + 5));

    SeenHost host = cluster.host();
    assertEquals(
        List.of(
            new DirectoryHeader.Signal(
                "seen",
                null,
                (DAY0 - 30) * DAY_MS,
                List.of(new DirectoryHeader.Gap((DAY0 + 3) * DAY_MS, (DAY0 + 6) * DAY_MS)))),
        host.header().signals());

    // The idle user is a candidate the gap could hide (never seen): the plan names them and the
    // live run waits for an admin's approval.
    Map<String, Object> plan = HostPlans.liveDeactivate90(host, NOW);
    assertEquals(List.of("JIRAUSER2 deactivate"), plan.get("operations"), plan::toString);
    assertEquals("needs_approval", plan.get("status"), plan::toString);
    assertEquals(List.of("warming_up"), plan.get("guard"), plan::toString);

    // The same days recorded without the gap: the same candidate, no approval needed.
    Cluster always = new Cluster();
    new Node(always).run(DAY0 - 30, TODAY, Set.of());
    SeenHost full = always.host();
    assertEquals(List.of(), full.header().signals().get(0).gaps());
    Map<String, Object> ready = HostPlans.liveDeactivate90(full, NOW);
    assertEquals(List.of("JIRAUSER2 deactivate"), ready.get("operations"), ready::toString);
    assertEquals("ready", ready.get("status"), ready::toString);
  }

  @Test
  void nodesCoveringTheSameDayLeaveOneRowAndEachNodeWritesOnceADay() throws Exception {
    Cluster cluster = new Cluster();
    // Two nodes, one after the other, then eight at once released by a barrier.
    Node a = new Node(cluster);
    Node b = new Node(cluster);
    a.run(TODAY - 1, TODAY - 1, Set.of());
    b.run(TODAY - 1, TODAY - 1, Set.of());
    assertEquals(1, cluster.coveredRows());
    assertEquals(1, a.covered.covers.get(), "three runs, one write a day");
    assertEquals(1, b.covered.covers.get());

    int nodes = 8;
    CyclicBarrier start = new CyclicBarrier(nodes);
    List<Node> all = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < nodes; i++) {
      Node n = new Node(cluster);
      n.clock.set(TODAY * DAY_MS + 1_000);
      all.add(n);
      Thread t =
          new Thread(
              () -> {
                try {
                  start.await();
                  n.job.flush();
                  n.job.flush();
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(), failures);
    assertEquals(2, cluster.coveredRows(), "one row per day, whatever the number of nodes");
    for (Node n : all) {
      assertEquals(1, n.covered.covers.get(), "one write a day per node");
    }
    assertTrue(cluster.locks.acquired.contains(LOCK), "covered under the cluster lock");
    assertEquals(Set.of(TODAY - 1, TODAY), Set.copyOf(new Node(cluster).covered.days()));
  }

  @Test
  void aRestartKeepsCoverageAndAddsNoRow() {
    Cluster cluster = new Cluster();
    Node before = new Node(cluster);
    before.run(TODAY - 3, TODAY - 1, Set.of());
    assertEquals(3, cluster.coveredRows());
    // The node restarts during yesterday: its memory is gone, the tables are not.
    Node after = new Node(cluster);
    after.run(TODAY - 1, TODAY, Set.of());
    assertEquals(4, cluster.coveredRows(), "yesterday is not written twice; today once");
    assertEquals(2, after.covered.covers.get(), "the restarted node checks each day once");
    DirectoryHeader.Signal seen = cluster.host().header().signals().get(0);
    assertEquals((TODAY - 3) * DAY_MS, seen.since());
    assertEquals(List.of(), seen.gaps(), "nothing lost across the restart");
  }
}
