package io.seatwarden.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.RecordStore.DuplicateKeyException;
import io.seatwarden.bridge.RecordStore.NewRecord;
import io.seatwarden.bridge.RecordStore.Scan;
import io.seatwarden.bridge.RecordStore.StoredRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AoRecordStoreTest {

  private final FakeActiveObjects ao = new FakeActiveObjects();
  private final FakeClusterLockService locks = new FakeClusterLockService();
  private final AoRecordStore store = new AoRecordStore(ao, locks);

  private static NewRecord row(String key, Long group, long time, String kind, String body) {
    return new NewRecord(key, group, time, kind, body);
  }

  private static Scan all() {
    return new Scan(null, List.of(), null, null, null, null, false, null);
  }

  @Test
  void insertAssignsIncreasingIdsAndRevisionOne() {
    long[] ids =
        store.insert("audit", List.of(row(null, 7L, 100, "deactivate", "{}"), row(null, 7L, 101, "warn", "{\"a\":1}")));
    assertEquals(2, ids.length);
    assertTrue(ids[1] > ids[0]);
    StoredRecord second = store.getById("audit", ids[1]).orElseThrow();
    assertEquals(new StoredRecord(ids[1], null, 7L, 101, "warn", 1, "{\"a\":1}"), second);
    // Key-less inserts need no lock.
    assertTrue(locks.acquired.isEmpty());
  }

  /**
   * Active Objects loads lazily: a getter of a column the find did not select is a SELECT of its
   * own. With {@code @Preload} on every entity a page of 50 audit rows is one query, not 301.
   */
  @Test
  void aScanPageIsOneQuery() {
    List<NewRecord> rows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      rows.add(row(null, 3L, 1000 + i, "deactivate", "{\"i\":" + i + "}"));
    }
    store.insert("audit", rows);
    ao.statements.clear();
    List<StoredRecord> page =
        store.scan("audit", new Scan(3L, List.of(), null, null, null, null, true, 50));
    assertEquals(50, page.size());
    assertEquals("{\"i\":49}", page.get(0).body());
    assertEquals(1049, page.get(0).time());
    assertEquals(
        1,
        ao.statements.size(),
        "queries for one page of 50 (a getter of an unloaded column is one more each): "
            + ao.statements.subList(0, Math.min(3, ao.statements.size())));
    assertEquals("SELECT AuditRow WHERE GROUP_ID = ?", ao.statements.get(0));
    ao.statements.clear();
    assertEquals(1, store.getById("audit", page.get(0).id()).orElseThrow().revision());
    assertEquals(1, ao.statements.size(), "a read by id is one query: " + ao.statements);
  }

  @Test
  void everyEntityPreloadsEveryColumn() {
    for (Class<? extends RecordRow> entity : RecordTables.ENTITIES) {
      net.java.ao.Preload preload = entity.getAnnotation(net.java.ao.Preload.class);
      assertTrue(preload != null, entity.getSimpleName() + " has no @Preload");
      assertEquals(List.of(net.java.ao.Preload.ALL), List.of(preload.value()), entity.getSimpleName());
    }
  }

  /**
   * Retention over many rows: each DELETE covers at most DELETE_RANGE ids (bounded locks and
   * undo), rows outside the scan survive, and the count is exact.
   */
  @Test
  void retentionDeletesInBoundedIdRanges() {
    int n = 2 * AoRecordStore.DELETE_RANGE + 500;
    List<NewRecord> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // Every tenth row is recent and must stay.
      rows.add(row(null, null, i % 10 == 0 ? 10_000 : 100, "deactivate", "{}"));
    }
    store.insert("audit", rows);
    ao.deletedPerStatement.clear();
    Scan old = new Scan(null, List.of(), null, 5_000L, null, null, false, null);
    assertEquals(n - n / 10, store.delete("audit", old));
    assertEquals(3, ao.deletedPerStatement.size(), "one statement per id range");
    for (int removed : ao.deletedPerStatement) {
      assertTrue(removed <= AoRecordStore.DELETE_RANGE, "a statement removed " + removed + " rows");
    }
    assertEquals(n / 10, store.count("audit", all()));
    assertEquals(0, store.count("audit", old));
    assertEquals(0, store.delete("audit", old), "nothing left: no DELETE at all");
    assertEquals(3, ao.deletedPerStatement.size());
  }

  @Test
  void tablesAreSeparate() {
    store.insert("runs", List.of(row("run-1", null, 1, "running", "{}")));
    assertTrue(store.get("runs", "run-1").isPresent());
    assertTrue(store.get("journal", "run-1").isEmpty());
    assertEquals(1, ao.size(RunsRow.class));
    assertEquals(0, ao.size(JournalRow.class));
  }

  @Test
  void unknownTableIsRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> store.count("users", all()));
    assertEquals("unknown record table `users`", e.getMessage());
  }

  @Test
  void duplicateKeyInTheTableInsertsNothing() {
    store.insert("leases", List.of(row("policy-1", null, 5, null, "{\"node\":\"a\"}")));
    DuplicateKeyException e =
        assertThrows(
            DuplicateKeyException.class,
            () ->
                store.insert(
                    "leases",
                    List.of(row("policy-2", null, 6, null, "{}"), row("policy-1", null, 6, null, "{}"))));
    assertEquals("table `leases` already holds key `policy-1`", e.getMessage());
    assertEquals(1, store.count("leases", all()));
    assertTrue(store.get("leases", "policy-2").isEmpty());
    assertEquals(List.of("io.seatwarden.store.leases", "io.seatwarden.store.leases"), locks.acquired);
    assertFalse(locks.isLocked("io.seatwarden.store.leases"));
  }

  @Test
  void duplicateKeyIsReportedEvenWhenTheTransactionTemplateWrapsIt() {
    store.insert("runs", List.of(row("run-9", null, 1, "queued", "{}")));
    WrappingTransactions wrapping = new WrappingTransactions(ao);
    AoRecordStore wrapped = new AoRecordStore(wrapping, locks);
    assertThrows(
        DuplicateKeyException.class,
        () -> wrapped.insert("runs", List.of(row("run-9", null, 2, "queued", "{}"))));
    assertEquals(1, store.count("runs", all()));
  }

  @Test
  void duplicateKeyWithinTheBatchInsertsNothing() {
    assertThrows(
        DuplicateKeyException.class,
        () -> store.insert("outbox", List.of(row("m1", null, 1, "due", "{}"), row("m1", null, 2, "due", "{}"))));
    assertEquals(0, store.count("outbox", all()));
  }

  @Test
  void batchIsAtomicWhenTheDatabaseFailsHalfway() {
    store.insert("audit", List.of(row(null, null, 1, "a", "{}")));
    FailingAfter failing = new FailingAfter(ao, 1);
    AoRecordStore flaky = new AoRecordStore(failing, locks);
    HostUnavailableException e =
        assertThrows(
            HostUnavailableException.class,
            () -> flaky.insert("audit", List.of(row(null, null, 2, "b", "{}"), row(null, null, 3, "c", "{}"))));
    assertTrue(e.getMessage().contains("`audit`"), e.getMessage());
    assertEquals(1, store.count("audit", all()));
  }

  @Test
  void updateIsACompareAndSetOnTheRevision() {
    long id = store.insert("config", List.of(row("config", null, 1, null, "{\"v\":1}")))[0];
    assertEquals(Optional.of(2L), store.update("config", id, 1, 2, "saved", "{\"v\":2}"));
    // A writer that read revision 1 loses and changes nothing.
    assertEquals(Optional.empty(), store.update("config", id, 1, 3, "stale", "{\"v\":3}"));
    StoredRecord now = store.get("config", "config").orElseThrow();
    assertEquals(new StoredRecord(id, "config", null, 2, "saved", 2, "{\"v\":2}"), now);
    assertEquals(Optional.empty(), store.update("config", id + 100, 2, 3, null, "{}"));
    assertFalse(locks.isLocked("io.seatwarden.store.config"));
  }

  /**
   * Every round, all writers read the same revision before any of them writes (a barrier), then
   * all compare-and-set at once inside the widened race window: contention is certain, not left to
   * the scheduler, so the test can assert that it happened (all but one lose every round) as well
   * as that nobody else won.
   */
  @Test
  void concurrentCompareAndSetHasExactlyOneWinnerPerRevision() throws Exception {
    long id = store.insert("leases", List.of(row("p", null, 0, null, "0")))[0];
    ao.raceWindow(2);
    int threads = 6;
    int rounds = 10;
    ConcurrentHashMap<Long, String> winners = new ConcurrentHashMap<>();
    AtomicInteger duplicates = new AtomicInteger();
    AtomicInteger losses = new AtomicInteger();
    CyclicBarrier allRead = new CyclicBarrier(threads);
    CyclicBarrier allWrote = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String me = "node-" + t;
      done.add(
          pool.submit(
              () -> {
                for (int i = 0; i < rounds; i++) {
                  StoredRecord seen = store.getById("leases", id).orElseThrow();
                  allRead.await(60, TimeUnit.SECONDS);
                  Optional<Long> next =
                      store.update("leases", id, seen.revision(), i, "held", me);
                  if (next.isEmpty()) {
                    losses.incrementAndGet();
                  } else if (winners.putIfAbsent(seen.revision(), me) != null) {
                    duplicates.incrementAndGet();
                  }
                  allWrote.await(60, TimeUnit.SECONDS);
                }
                return null;
              }));
    }
    try {
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, duplicates.get(), "two writers won the same revision");
    assertEquals(rounds, winners.size(), "one writer wins each round");
    assertEquals((threads - 1) * rounds, losses.get(), "every other writer lost its race");
    StoredRecord last = store.getById("leases", id).orElseThrow();
    assertEquals(1 + winners.size(), last.revision());
    assertEquals(winners.get(last.revision() - 1), last.body());
  }

  @Test
  void updateTimesOutWhenAnotherNodeHoldsTheTableLock() throws Exception {
    long id = store.insert("runs", List.of(row("r", null, 0, "queued", "{}")))[0];
    AoRecordStore impatient = new AoRecordStore(ao, locks);
    AutoCloseable held = locks.holdElsewhere("io.seatwarden.store.runs");
    try {
      Thread waiter =
          new Thread(
              () -> {
                try {
                  impatient.update("runs", id, 1, 1, "done", "{}");
                } catch (HostUnavailableException expected) {
                  // the lock is held elsewhere
                }
              });
      waiter.start();
      waiter.join(200);
      // Still waiting for the lock: nothing written while the other node holds it.
      assertEquals(1, store.getById("runs", id).orElseThrow().revision());
      waiter.interrupt();
      waiter.join();
    } finally {
      held.close();
    }
    assertEquals(1, store.getById("runs", id).orElseThrow().revision());
  }

  @Test
  void scanFiltersOrdersAndLimits() {
    store.insert(
        "audit",
        List.of(
            row(null, 1L, 10, "deactivate", "a"),
            row(null, 1L, 20, "warn", "b"),
            row(null, 2L, 30, "deactivate", "c"),
            row(null, 1L, 40, "delete", "d"),
            row(null, 1L, 50, "deactivate", "e")));
    Scan group1 = new Scan(1L, List.of("deactivate", "delete"), 10L, 50L, null, null, false, null);
    assertEquals(List.of("a", "d"), bodies(store.scan("audit", group1)));
    Scan newestFirst = new Scan(null, List.of(), null, null, null, null, true, 2);
    assertEquals(List.of("e", "d"), bodies(store.scan("audit", newestFirst)));
    List<StoredRecord> page = store.scan("audit", newestFirst);
    Scan cursor = new Scan(null, List.of(), null, null, null, page.get(1).id(), true, 2);
    assertEquals(List.of("c", "b"), bodies(store.scan("audit", cursor)));
    Scan after = new Scan(null, List.of("deactivate"), null, null, page.get(1).id() - 3, null, false, null);
    assertEquals(List.of("c", "e"), bodies(store.scan("audit", after)));
    assertEquals(List.of(), store.scan("audit", new Scan(null, List.of(), null, null, null, null, false, 0)));
  }

  @Test
  void countIgnoresTheLimitAndDeleteRemovesTheSelection() {
    store.insert(
        "outcomes",
        List.of(
            row("r1/u1", 1L, 1, "ok", "{}"),
            row("r1/u2", 1L, 2, "failed", "{}"),
            row("r2/u1", 2L, 3, "ok", "{}")));
    Scan run1Limited = new Scan(1L, List.of(), null, null, null, null, false, 1);
    assertEquals(2, store.count("outcomes", run1Limited));
    assertEquals(2, store.delete("outcomes", run1Limited));
    assertEquals(List.of("r2/u1"), store.scan("outcomes", all()).stream().map(StoredRecord::key).toList());
    assertEquals(1, store.delete("outcomes", all()));
    assertEquals(0, store.count("outcomes", all()));
  }

  @Test
  void databaseFailureIsHostUnavailableAndNamesOnlyTheTable() {
    ao.failure = new IllegalStateException("ORA-00001 secret row content");
    HostUnavailableException e =
        assertThrows(HostUnavailableException.class, () -> store.scan("audit", all()));
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
    assertTrue(e.getMessage().contains("`audit`"));
  }

  @Test
  void emptyBodyComesBackEmptyEvenWhereTheDatabaseStoresNull() {
    long id = store.insert("journal", List.of(row("r", null, 1, null, "")))[0];
    assertEquals("", store.getById("journal", id).orElseThrow().body());
    assertNull(store.getById("journal", id).orElseThrow().kind());
    assertEquals(Optional.empty(), store.getById("journal", 0));
    assertEquals(Optional.empty(), store.getById("journal", Long.MAX_VALUE));
  }

  @Test
  void everyWireTableHasAnEntity() {
    for (String table :
        List.of(
            "config",
            "audit",
            "runs",
            "journal",
            "outcomes",
            "before_states",
            "outbox",
            "leases",
            "exemptions",
            "review",
            "licence_history")) {
      assertArrayEquals(new long[] {1}, store.insert(table, List.of(row(null, null, 0, null, "{}"))));
    }
    assertEquals(11, RecordTables.ENTITIES.size(), "a new entity needs its wire name in this list");
  }

  /**
   * The exemption and review tables are keyed per (policy, user) by the record store: a row comes
   * back by key, is replaced under its revision, is scanned by kind and deleted alone, and stays
   * out of the other tables.
   */
  @Test
  void exemptionAndReviewRowsRoundTripByKey() {
    for (String table : List.of("exemptions", "review")) {
      long id = store.insert(table, List.of(row("p1/alice", null, 10, "open", "{\"v\":1}")))[0];
      assertEquals(
          new StoredRecord(id, "p1/alice", null, 10, "open", 1, "{\"v\":1}"),
          store.get(table, "p1/alice").orElseThrow());
      assertEquals(Optional.of(2L), store.update(table, id, 1, 20, "decided", "{\"v\":2}"));
      assertEquals(Optional.empty(), store.update(table, id, 1, 30, "stale", "{}"), "stale revision");
      StoredRecord now = store.getById(table, id).orElseThrow();
      assertEquals("{\"v\":2}", now.body());
      assertEquals("decided", now.kind());
      assertThrows(
          DuplicateKeyException.class,
          () -> store.insert(table, List.of(row("p1/alice", null, 11, "open", "{}"))));
      store.insert(table, List.of(row("p1/bob", null, 12, "open", "{}")));
      Scan decided = new Scan(null, List.of("decided"), null, null, null, null, false, null);
      assertEquals(1, store.count(table, decided));
      assertEquals(1, store.delete(table, decided));
      assertEquals(List.of("{}"), bodies(store.scan(table, all())));
    }
    assertEquals(1, ao.size(ExemptionsRow.class));
    assertEquals(1, ao.size(ReviewRow.class));
    assertEquals(0, ao.size(LeasesRow.class));
  }

  /**
   * The activity trend shares {@code licence_history} with the licence history (the Rust record
   * store's {@code store/history.rs}): licence rows have no kind, activity rows the kind
   * {@code activity}. Reads tell them apart by kind within a day range, and pruning old activity
   * rows leaves the licence rows of the same days alone.
   */
  @Test
  void activityRowsShareTheLicenceHistoryTableApartByKind() {
    long day = 86_400_000L;
    String table = "licence_history";
    store.insert(
        table,
        List.of(
            row("20400:jira-software", null, 20400 * day, null, "{\"licence\":20400}"),
            row("activity:20400", null, 20400 * day, "activity", "{\"activity\":20400}"),
            row("20401:jira-software", null, 20401 * day, null, "{\"licence\":20401}"),
            row("activity:20401", null, 20401 * day, "activity", "{\"activity\":20401}")));
    Scan activity = new Scan(null, List.of("activity"), 20400 * day, 20402 * day, null, null, false, null);
    assertEquals(List.of("{\"activity\":20400}", "{\"activity\":20401}"), bodies(store.scan(table, activity)));
    Scan oneDay = new Scan(null, List.of(), 20401 * day, 20402 * day, null, null, false, null);
    assertEquals(
        List.of("{\"licence\":20401}", "{\"activity\":20401}"),
        bodies(store.scan(table, oneDay)),
        "no kind selects both kinds of the day");
    // Today's activity record written again: the same key, the kind kept.
    StoredRecord today = store.get(table, "activity:20401").orElseThrow();
    assertEquals(
        Optional.of(2L), store.update(table, today.id(), 1, 20401 * day, "activity", "{\"activity\":\"again\"}"));
    assertEquals("activity", store.get(table, "activity:20401").orElseThrow().kind());
    // Pruning activity older than day 20401 removes the old activity row only.
    Scan oldActivity = new Scan(null, List.of("activity"), null, 20401 * day, null, null, false, null);
    assertEquals(1, store.delete(table, oldActivity));
    assertEquals(
        List.of("{\"licence\":20400}", "{\"licence\":20401}", "{\"activity\":\"again\"}"),
        bodies(store.scan(table, all())));
  }

  private static List<String> bodies(List<StoredRecord> rows) {
    return rows.stream().map(StoredRecord::body).toList();
  }

  /** Like a product's transaction template that wraps what the callback throws. */
  private static final class WrappingTransactions extends Delegating {
    WrappingTransactions(FakeActiveObjects inner) {
      super(inner);
    }

    @Override
    public <T> T executeInTransaction(com.atlassian.sal.api.transaction.TransactionCallback<T> callback) {
      try {
        return inner.executeInTransaction(callback);
      } catch (RuntimeException e) {
        throw new IllegalStateException("transaction rolled back", e);
      }
    }
  }

  /** Lets {@code n} inserts through, then fails every statement (a connection lost mid-batch). */
  private static final class FailingAfter extends Delegating {
    private int left;

    FailingAfter(FakeActiveObjects inner, int n) {
      super(inner);
      this.left = n;
    }

    @Override
    public <T extends net.java.ao.RawEntity<K>, K> T create(Class<T> type, net.java.ao.DBParam... params) {
      if (left-- <= 0) {
        throw new IllegalStateException("connection reset");
      }
      return inner.create(type, params);
    }
  }

  /** Passes every call to the in-memory Active Objects. */
  private static class Delegating implements com.atlassian.activeobjects.external.ActiveObjects {
    final FakeActiveObjects inner;

    Delegating(FakeActiveObjects inner) {
      this.inner = inner;
    }

    @Override
    public <T extends net.java.ao.RawEntity<K>, K> T create(Class<T> type, net.java.ao.DBParam... params) {
      return inner.create(type, params);
    }

    @Override
    public <T extends net.java.ao.RawEntity<K>, K> T get(Class<T> type, K key) {
      return inner.get(type, key);
    }

    @Override
    public <T extends net.java.ao.RawEntity<K>, K> T[] find(Class<T> type, net.java.ao.Query query) {
      return inner.find(type, query);
    }

    @Override
    public <K> int count(Class<? extends net.java.ao.RawEntity<K>> type, net.java.ao.Query query) {
      return inner.count(type, query);
    }

    @Override
    public void delete(net.java.ao.RawEntity<?>... entities) {
      inner.delete(entities);
    }

    @Override
    public <K> int deleteWithSQL(
        Class<? extends net.java.ao.RawEntity<K>> type, String criteria, Object... parameters) {
      return inner.deleteWithSQL(type, criteria, parameters);
    }

    @Override
    public <T> T executeInTransaction(com.atlassian.sal.api.transaction.TransactionCallback<T> callback) {
      return inner.executeInTransaction(callback);
    }
  }
}
