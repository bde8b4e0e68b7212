package io.seatwarden.bridge.testing;

import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.RecordStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@link RecordStore} in {@code TreeMap}s: exactly the contract of {@code
 * seatwarden_store_records::backend::RecordBackend}, nothing more (the Rust record store builds the
 * whole Store on it, and its conformance suites run against this class through the bridge).
 *
 * <p>Ids come from one counter, so they grow strictly in insertion order and are never reused;
 * every method is atomic ({@code synchronized}). {@link #setUnavailable} makes every call throw
 * {@link HostUnavailableException}, as a product database that stopped answering would.
 */
public final class InMemoryRecordStore implements RecordStore {
  private final Map<String, TreeMap<Long, StoredRecord>> tables = new HashMap<>();
  private final Map<String, Map<String, Long>> keys = new HashMap<>();
  private long nextId = 1;
  private volatile boolean unavailable;
  private long calls;

  /** Makes every later call throw {@link HostUnavailableException} (or answer again). */
  public void setUnavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  /** How many calls the store answered. */
  public synchronized long calls() {
    return calls;
  }

  /** How many rows {@code table} holds. */
  public synchronized int size(String table) {
    return table(table).size();
  }

  private void enter() {
    if (unavailable) {
      throw new HostUnavailableException("the test database is down");
    }
    calls++;
  }

  private TreeMap<Long, StoredRecord> table(String table) {
    return tables.computeIfAbsent(table, t -> new TreeMap<>());
  }

  private Map<String, Long> keys(String table) {
    return keys.computeIfAbsent(table, t -> new HashMap<>());
  }

  @Override
  public synchronized long[] insert(String table, List<NewRecord> records) {
    enter();
    Map<String, Long> index = keys(table);
    Set<String> batch = new HashSet<>();
    for (NewRecord r : records) {
      if (r.key() != null && (index.containsKey(r.key()) || !batch.add(r.key()))) {
        throw new DuplicateKeyException(table, r.key());
      }
    }
    long[] ids = new long[records.size()];
    TreeMap<Long, StoredRecord> rows = table(table);
    for (int i = 0; i < ids.length; i++) {
      NewRecord r = records.get(i);
      long id = nextId++;
      rows.put(id, new StoredRecord(id, r.key(), r.group(), r.time(), r.kind(), 1, r.body()));
      if (r.key() != null) {
        index.put(r.key(), id);
      }
      ids[i] = id;
    }
    return ids;
  }

  @Override
  public synchronized Optional<StoredRecord> get(String table, String key) {
    enter();
    Long id = keys(table).get(key);
    return id == null ? Optional.empty() : Optional.ofNullable(table(table).get(id));
  }

  @Override
  public synchronized Optional<StoredRecord> getById(String table, long id) {
    enter();
    return Optional.ofNullable(table(table).get(id));
  }

  @Override
  public synchronized Optional<Long> update(
      String table, long id, long expectedRevision, long time, String kind, String body) {
    enter();
    TreeMap<Long, StoredRecord> rows = table(table);
    StoredRecord row = rows.get(id);
    if (row == null || row.revision() != expectedRevision) {
      return Optional.empty();
    }
    long revision = row.revision() + 1;
    rows.put(id, new StoredRecord(id, row.key(), row.group(), time, kind, revision, body));
    return Optional.of(revision);
  }

  @Override
  public synchronized List<StoredRecord> scan(String table, Scan scan) {
    enter();
    List<StoredRecord> out = new ArrayList<>();
    int limit = scan.limit() == null ? Integer.MAX_VALUE : scan.limit();
    for (StoredRecord r : range(table, scan).values()) {
      if (out.size() >= limit) {
        break;
      }
      if (matches(r, scan)) {
        out.add(r);
      }
    }
    return out;
  }

  @Override
  public synchronized long count(String table, Scan scan) {
    enter();
    return range(table, scan).values().stream().filter(r -> matches(r, scan)).count();
  }

  @Override
  public synchronized long delete(String table, Scan scan) {
    enter();
    List<StoredRecord> doomed =
        range(table, scan).values().stream().filter(r -> matches(r, scan)).toList();
    TreeMap<Long, StoredRecord> rows = table(table);
    Map<String, Long> index = keys(table);
    for (StoredRecord r : doomed) {
      rows.remove(r.id());
      if (r.key() != null) {
        index.remove(r.key());
      }
    }
    return doomed.size();
  }

  /** The id range of {@code scan}, in its order. */
  private NavigableMap<Long, StoredRecord> range(String table, Scan scan) {
    NavigableMap<Long, StoredRecord> rows = table(table);
    if (scan.afterId() != null) {
      rows = rows.tailMap(scan.afterId(), false);
    }
    if (scan.beforeId() != null) {
      rows = rows.headMap(scan.beforeId(), false);
    }
    return scan.descending() ? rows.descendingMap() : rows;
  }

  private static boolean matches(StoredRecord r, Scan scan) {
    if (scan.group() != null && !scan.group().equals(r.group())) {
      return false;
    }
    if (scan.kinds() != null
        && !scan.kinds().isEmpty()
        && (r.kind() == null || !scan.kinds().contains(r.kind()))) {
      return false;
    }
    if (scan.timeFrom() != null && r.time() < scan.timeFrom()) {
      return false;
    }
    return scan.timeTo() == null || r.time() < scan.timeTo();
  }
}
