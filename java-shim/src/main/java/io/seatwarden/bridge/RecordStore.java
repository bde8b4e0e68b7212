package io.seatwarden.bridge;

import java.util.List;
import java.util.Optional;

/**
 * Durable rows in the product's database: what the plugin's Active Objects store (and the tests'
 * in-memory store) implements. The engine builds everything it must remember (configuration,
 * audit log, runs, journals, outbox, undo, leases) on these few operations; the Java side holds no
 * rule about them. Mirrors {@code seatwarden_store_records::RecordBackend}; read its docs for the
 * contract.
 *
 * <p>Tables are named by their wire names: {@code config}, {@code audit}, {@code runs}, {@code
 * journal}, {@code outcomes}, {@code before_states}, {@code outbox}, {@code leases}. Every method
 * must be safe to call from several threads, and on several cluster nodes, at once. A database
 * failure is a {@link HostUnavailableException}.
 */
public interface RecordStore {

  /**
   * Inserts rows atomically and answers their ids in order. If any key already exists (in the table
   * or twice in the batch) nothing is inserted and {@link DuplicateKeyException} is thrown.
   */
  long[] insert(String table, List<NewRecord> records);

  /** The row with this unique key. */
  Optional<StoredRecord> get(String table, String key);

  /** The row with this id. */
  Optional<StoredRecord> getById(String table, long id);

  /**
   * Replaces time, kind and body of row {@code id} if its revision is still {@code
   * expectedRevision}; answers the new revision, or empty when the row is gone or changed.
   */
  Optional<Long> update(
      String table, long id, long expectedRevision, long time, String kind, String body);

  /** The rows {@code scan} selects, in its order, at most its limit. */
  List<StoredRecord> scan(String table, Scan scan);

  /** How many rows {@code scan} selects (its limit ignored). */
  long count(String table, Scan scan);

  /** Deletes the rows {@code scan} selects (its limit ignored); answers how many. */
  long delete(String table, Scan scan);

  /**
   * A row to insert.
   *
   * @param key unique within the table, or null
   * @param group a grouping id scans filter on (a run id), or null
   * @param time UTC ms scans order and filter by
   * @param kind a short tag scans filter on, or null
   * @param body JSON, stored verbatim (may be large: use a CLOB-sized column)
   */
  record NewRecord(String key, Long group, long time, String kind, String body) {}

  /**
   * A stored row.
   *
   * @param id assigned by the store, strictly increasing in insertion order, never reused
   * @param revision 1 on insert, plus 1 on every successful update
   */
  record StoredRecord(
      long id, String key, Long group, long time, String kind, long revision, String body) {}

  /**
   * Which rows to select; every non-null bound must hold, an empty {@code kinds} selects any kind.
   *
   * @param timeFrom inclusive
   * @param timeTo exclusive
   * @param afterId exclusive lower id bound (ascending cursor)
   * @param beforeId exclusive upper id bound (descending cursor)
   * @param descending newest (largest id) first when true
   * @param limit at most this many rows from {@link #scan}, or null for all
   */
  record Scan(
      Long group,
      List<String> kinds,
      Long timeFrom,
      Long timeTo,
      Long afterId,
      Long beforeId,
      boolean descending,
      Integer limit) {}

  /** An insert carried a key the table already holds; nothing was inserted. */
  final class DuplicateKeyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String table;
    private final String key;

    /** Names the table and the clashing key (keys are ids, never personal data). */
    public DuplicateKeyException(String table, String key) {
      super("table `" + table + "` already holds key `" + key + "`");
      this.table = table;
      this.key = key;
    }

    /** The table's wire name. */
    public String table() {
      return table;
    }

    /** The clashing key. */
    public String key() {
      return key;
    }
  }
}
