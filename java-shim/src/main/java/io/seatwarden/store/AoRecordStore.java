package io.seatwarden.store;

import com.atlassian.activeobjects.external.ActiveObjects;
import com.atlassian.beehive.ClusterLock;
import com.atlassian.beehive.ClusterLockService;
import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.RecordStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.java.ao.DBParam;
import net.java.ao.Query;

/**
 * The {@link RecordStore} in the product's database, through Active Objects: every node of a Data
 * Center cluster reads and writes the same rows.
 *
 * <p>Atomicity (see {@code docs/plugin.md}, "Store"):
 *
 * <ul>
 *   <li>an insert batch runs in one Active Objects transaction: all rows land or none;
 *   <li>the two read-then-write operations, an insert carrying keys (unique per table) and the
 *       compare-and-set {@link #update}, run under the table's cluster lock ({@code
 *       ClusterLockService}, database-backed on Data Center) with the transaction begun after the
 *       lock is taken and committed before it is released, so a second node sees the first
 *       node's row or revision and refuses. Key-less inserts, reads, counts and deletes need no
 *       lock.
 * </ul>
 *
 * <p>This holds only when no caller's transaction encloses the store call (the engine calls the
 * store on plugin-owned code paths that open none). Database failures surface as {@link
 * HostUnavailableException} with a message naming the table only (bodies may hold personal data).
 */
public final class AoRecordStore implements RecordStore {

  /** How long a write waits for its table's cluster lock before giving up. */
  static final long LOCK_WAIT_SECONDS = 15;

  /** Cluster lock names are rows in the product's lock table: one per table, never per row. */
  static final String LOCK_PREFIX = "io.seatwarden.store.";

  private final ActiveObjects ao;
  private final ClusterLockService locks;

  /** The most ids one retention {@code DELETE} covers. */
  static final int DELETE_RANGE = 1000;

  /** A store over the plugin's Active Objects tables. */
  public AoRecordStore(ActiveObjects ao, ClusterLockService locks) {
    this.ao = Objects.requireNonNull(ao, "ao");
    this.locks = Objects.requireNonNull(locks, "locks");
  }

  @Override
  public long[] insert(String table, List<NewRecord> records) {
    Class<? extends RecordRow> type = RecordTables.entity(table);
    List<NewRecord> rows = List.copyOf(records);
    Set<String> keys = new HashSet<>();
    for (NewRecord row : rows) {
      if (row.key() != null && !keys.add(row.key())) {
        throw new DuplicateKeyException(table, row.key());
      }
    }
    Supplier<long[]> work =
        () ->
            ao.executeInTransaction(
                () -> {
                  for (String key : keys) {
                    if (findByKey(type, key) != null) {
                      throw new DuplicateKeyException(table, key);
                    }
                  }
                  long[] ids = new long[rows.size()];
                  for (int i = 0; i < ids.length; i++) {
                    ids[i] = create(type, rows.get(i)).getID();
                  }
                  return ids;
                });
    return keys.isEmpty() ? database(table, work) : underLock(table, work);
  }

  @Override
  public Optional<StoredRecord> get(String table, String key) {
    Class<? extends RecordRow> type = RecordTables.entity(table);
    Objects.requireNonNull(key, "key");
    return database(table, () -> Optional.ofNullable(findByKey(type, key)).map(AoRecordStore::stored));
  }

  @Override
  public Optional<StoredRecord> getById(String table, long id) {
    Class<? extends RecordRow> type = RecordTables.entity(table);
    return database(table, () -> Optional.ofNullable(findById(type, id)).map(AoRecordStore::stored));
  }

  @Override
  public Optional<Long> update(
      String table, long id, long expectedRevision, long time, String kind, String body) {
    Class<? extends RecordRow> type = RecordTables.entity(table);
    Objects.requireNonNull(body, "body");
    return underLock(
        table,
        () ->
            ao.executeInTransaction(
                () -> {
                  RecordRow row = findById(type, id);
                  if (row == null || row.getRevision() != expectedRevision) {
                    return Optional.empty();
                  }
                  long next = expectedRevision + 1;
                  row.setAtTime(time);
                  row.setKind(kind);
                  row.setBody(body);
                  row.setRevision(next);
                  row.save();
                  return Optional.of(next);
                }));
  }

  @Override
  public List<StoredRecord> scan(String table, Scan scan) {
    Class<? extends RecordRow> type = RecordTables.entity(table);
    ScanQuery query = ScanQuery.of(scan);
    if (query.limit() != null && query.limit() == 0) {
      return List.of();
    }
    return database(
        table,
        () -> {
          RecordRow[] rows = ao.find(type, query.toSelect());
          List<StoredRecord> out = new ArrayList<>(rows.length);
          for (RecordRow row : rows) {
            out.add(stored(row));
          }
          return out;
        });
  }

  @Override
  public long count(String table, Scan scan) {
    Class<? extends RecordRow> type = RecordTables.entity(table);
    Query filter = ScanQuery.of(scan).filter();
    return database(table, () -> (long) ao.count(type, filter));
  }

  /**
   * Deletes the matching rows in statements that each cover at most {@link #DELETE_RANGE} ids.
   *
   * <p>Retention purges the oldest audit rows, possibly millions at once. One unbounded {@code
   * DELETE} holds a row lock per row until it commits: SQL Server escalates that to a table lock
   * (and blocks every writer of the audit table) and Oracle fills its undo. So the lowest and
   * highest matching ids are read first (two one-row queries), and the rows between them are
   * deleted range by range: {@code <scan clause> AND ID >= ? AND ID < ?}, each statement its own
   * short unit touching at most {@value #DELETE_RANGE} rows (none of the store's callers holds a
   * transaction around it). A row inserted during the purge gets an id above the range read at the
   * start and is left for the next purge.
   */
  @Override
  public long delete(String table, Scan scan) {
    Class<? extends RecordRow> type = RecordTables.entity(table);
    ScanQuery query = ScanQuery.of(scan);
    return database(
        table,
        () -> {
          Integer low = edgeId(type, query, RecordRow.ID + " ASC");
          if (low == null) {
            return 0L;
          }
          Integer high = edgeId(type, query, RecordRow.ID + " DESC");
          if (high == null) {
            return 0L;
          }
          String where =
              (query.where() == null ? "" : query.where() + " AND ")
                  + RecordRow.ID
                  + " >= ? AND "
                  + RecordRow.ID
                  + " < ?";
          long deleted = 0;
          for (long from = low; from <= high; from += DELETE_RANGE) {
            long to = Math.min((long) high + 1, from + DELETE_RANGE);
            List<Object> params = new ArrayList<>(query.params());
            params.add((int) from);
            params.add(to > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) to);
            deleted += ao.deleteWithSQL(type, where, params.toArray());
          }
          return deleted;
        });
  }

  /** The lowest ({@code ID ASC}) or highest ({@code ID DESC}) id matching the query, or null. */
  private Integer edgeId(Class<? extends RecordRow> type, ScanQuery query, String order) {
    RecordRow[] rows = ao.find(type, query.filter().order(order).limit(1));
    return rows.length == 0 ? null : rows[0].getID();
  }

  private RecordRow findByKey(Class<? extends RecordRow> type, String key) {
    RecordRow[] rows =
        ao.find(type, Query.select().where(RecordRow.RECORD_KEY + " = ?", key).limit(1));
    return rows.length == 0 ? null : rows[0];
  }

  private RecordRow findById(Class<? extends RecordRow> type, long id) {
    if (id < 1 || id > Integer.MAX_VALUE) {
      return null;
    }
    RecordRow[] rows = ao.find(type, Query.select().where(RecordRow.ID + " = ?", (int) id));
    return rows.length == 0 ? null : rows[0];
  }

  private RecordRow create(Class<? extends RecordRow> type, NewRecord row) {
    Objects.requireNonNull(row.body(), "body");
    return ao.create(
        type,
        new DBParam(RecordRow.RECORD_KEY, row.key()),
        new DBParam(RecordRow.GROUP_ID, row.group()),
        new DBParam(RecordRow.AT_TIME, row.time()),
        new DBParam(RecordRow.KIND, row.kind()),
        new DBParam(RecordRow.REVISION, 1L),
        new DBParam(RecordRow.BODY, row.body()));
  }

  private static StoredRecord stored(RecordRow row) {
    String body = row.getBody();
    return new StoredRecord(
        row.getID(),
        row.getRecordKey(),
        row.getGroupId(),
        row.getAtTime(),
        row.getKind(),
        row.getRevision(),
        // Oracle stores an empty string as NULL.
        body == null ? "" : body);
  }

  /** Runs {@code work} while holding the table's cluster lock. */
  private <T> T underLock(String table, Supplier<T> work) {
    ClusterLock lock = locks.getLockForName(LOCK_PREFIX + table);
    boolean locked;
    try {
      locked = lock.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HostUnavailableException("interrupted waiting for the lock of table `" + table + "`", e);
    }
    if (!locked) {
      throw new HostUnavailableException(
          "the lock of table `" + table + "` is held elsewhere for over " + LOCK_WAIT_SECONDS + " s");
    }
    try {
      return database(table, work);
    } finally {
      lock.unlock();
    }
  }

  /** Runs {@code work}, turning database failures into {@link HostUnavailableException}. */
  private static <T> T database(String table, Supplier<T> work) {
    try {
      return work.get();
    } catch (DuplicateKeyException | HostUnavailableException | IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      // A product's transaction template may wrap what the callback threw.
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof DuplicateKeyException duplicate) {
          throw duplicate;
        }
      }
      throw new HostUnavailableException(
          "the database refused a call on table `" + table + "`: " + e.getClass().getName(), e);
    }
  }
}
