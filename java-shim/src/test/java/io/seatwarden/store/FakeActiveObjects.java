package io.seatwarden.store;

import com.atlassian.activeobjects.external.ActiveObjects;
import com.atlassian.sal.api.transaction.TransactionCallback;
import java.lang.reflect.Array;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import net.java.ao.DBParam;
import net.java.ao.Preload;
import net.java.ao.Query;
import net.java.ao.RawEntity;

/**
 * An in-memory Active Objects for the store's tests: entities are proxies over column maps, and
 * the WHERE clauses {@link ScanQuery} and {@link AoRecordStore} build are interpreted (a
 * conjunction of {@code COL op ?} and {@code COL IN (?, ...)} terms; anything else fails the test).
 *
 * <p>Like a database at READ COMMITTED without locks: each statement is atomic, a transaction is
 * not isolated from others (so only the store's own locking keeps a compare-and-set atomic), and
 * a transaction that throws is rolled back. {@link #raceWindow} widens the gap between a read and
 * a write so races show up in tests.
 */
public final class FakeActiveObjects implements ActiveObjects {

  private final Map<Class<?>, TreeMap<Integer, Map<String, Object>>> tables = new HashMap<>();
  private final Map<Class<?>, Integer> sequences = new HashMap<>();
  private final ThreadLocal<List<Runnable>> undo = new ThreadLocal<>();
  /** Sleep this long in every save(), to let racing threads interleave. */
  volatile long raceWindowMillis;
  /** When set, every statement throws this (a database outage). */
  volatile RuntimeException failure;
  /** Statements executed, for assertions on what the store asked. */
  final List<String> statements = new ArrayList<>();
  /** How many rows each DELETE statement removed, in order. */
  final List<Integer> deletedPerStatement = new ArrayList<>();

  void raceWindow(long millis) {
    raceWindowMillis = millis;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends RawEntity<K>, K> T create(Class<T> type, DBParam... params) {
    Map<String, Object> values = new HashMap<>();
    for (DBParam param : params) {
      values.put(param.getField(), param.getValue());
    }
    int id;
    synchronized (this) {
      statement("INSERT " + type.getSimpleName());
      id = sequences.merge(type, 1, Integer::sum);
      values.put("ID", id);
      TreeMap<Integer, Map<String, Object>> table = table(type);
      table.put(id, new HashMap<>(values));
      onRollback(
          () -> {
            synchronized (this) {
              table.remove(id);
            }
          });
    }
    return (T) entity(type, id, values);
  }

  @Override
  public <T extends RawEntity<K>, K> T get(Class<T> type, K key) {
    throw new UnsupportedOperationException("the store reads with find()");
  }

  @Override
  @SuppressWarnings("unchecked")
  public synchronized <T extends RawEntity<K>, K> T[] find(Class<T> type, Query query) {
    statement("SELECT " + type.getSimpleName() + " WHERE " + query.getWhereClause());
    List<Map<String, Object>> rows = select(type, query);
    String order = query.getOrderClause();
    if (order != null) {
      if (!order.equals("ID ASC") && !order.equals("ID DESC")) {
        throw new AssertionError("unexpected order clause: " + order);
      }
      Comparator<Map<String, Object>> byId = Comparator.comparing(r -> (Integer) r.get("ID"));
      rows.sort(order.endsWith("DESC") ? byId.reversed() : byId);
    }
    if (query.getOffset() > 0) {
      rows = rows.subList(Math.min(query.getOffset(), rows.size()), rows.size());
    }
    if (query.getLimit() >= 0 && rows.size() > query.getLimit()) {
      rows = rows.subList(0, query.getLimit());
    }
    T[] out = (T[]) Array.newInstance(type, rows.size());
    for (int i = 0; i < out.length; i++) {
      Map<String, Object> row = rows.get(i);
      out[i] = (T) entity(type, (Integer) row.get("ID"), preloaded(type, row));
    }
    return out;
  }

  @Override
  public synchronized <K> int count(Class<? extends RawEntity<K>> type, Query query) {
    statement("COUNT " + type.getSimpleName() + " WHERE " + query.getWhereClause());
    return select(type, query).size();
  }

  @Override
  public void delete(RawEntity<?>... entities) {
    throw new UnsupportedOperationException("the store deletes with deleteWithSQL()");
  }

  @Override
  public synchronized <K> int deleteWithSQL(
      Class<? extends RawEntity<K>> type, String criteria, Object... parameters) {
    statement("DELETE " + type.getSimpleName() + " WHERE " + criteria);
    Predicate<Map<String, Object>> where = Where.parse(criteria, parameters);
    TreeMap<Integer, Map<String, Object>> table = table(type);
    List<Map<String, Object>> gone = new ArrayList<>();
    table.values().removeIf(row -> where.test(row) && gone.add(row));
    deletedPerStatement.add(gone.size());
    onRollback(
        () -> {
          synchronized (this) {
            for (Map<String, Object> row : gone) {
              table.put((Integer) row.get("ID"), row);
            }
          }
        });
    return gone.size();
  }

  @Override
  public <T> T executeInTransaction(TransactionCallback<T> callback) {
    if (undo.get() != null) {
      return callback.doInTransaction();
    }
    List<Runnable> log = new ArrayList<>();
    undo.set(log);
    try {
      return callback.doInTransaction();
    } catch (RuntimeException | Error e) {
      for (int i = log.size() - 1; i >= 0; i--) {
        log.get(i).run();
      }
      throw e;
    } finally {
      undo.remove();
    }
  }

  /** The stored columns of one row, or null. */
  synchronized Map<String, Object> row(Class<?> type, int id) {
    Map<String, Object> row = table(type).get(id);
    return row == null ? null : new HashMap<>(row);
  }

  synchronized int size(Class<?> type) {
    return table(type).size();
  }

  private List<Map<String, Object>> select(Class<?> type, Query query) {
    Predicate<Map<String, Object>> where =
        Where.parse(query.getWhereClause(), query.getWhereParams());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> row : table(type).values()) {
      if (where.test(row)) {
        rows.add(row);
      }
    }
    return rows;
  }

  private void statement(String text) {
    RuntimeException fail = failure;
    if (fail != null) {
      throw fail;
    }
    statements.add(text);
  }

  private TreeMap<Integer, Map<String, Object>> table(Class<?> type) {
    return tables.computeIfAbsent(type, t -> new TreeMap<>());
  }

  private void onRollback(Runnable action) {
    List<Runnable> log = undo.get();
    if (log != null) {
      log.add(action);
    }
  }

  /**
   * The columns a {@code find} hands its entities, as Active Objects' lazy loading does: only the
   * primary key unless the entity type carries {@link Preload} (all columns for {@code "*"}, else
   * the listed ones). Any other column costs its getter a SELECT of its own (see {@link #entity}).
   */
  private static Map<String, Object> preloaded(Class<?> type, Map<String, Object> row) {
    Preload preload = type.getAnnotation(Preload.class);
    if (preload != null && Arrays.asList(preload.value()).contains(Preload.ALL)) {
      return new HashMap<>(row);
    }
    Map<String, Object> loaded = new HashMap<>();
    loaded.put("ID", row.get("ID"));
    if (preload != null) {
      for (String column : preload.value()) {
        loaded.put(column.trim(), row.get(column.trim()));
      }
    }
    return loaded;
  }

  /** A getter of a column the find did not load: one SELECT of that column by id. */
  private synchronized Object lazyLoad(Class<?> type, int id, String column) {
    statement("SELECT " + column + " FROM " + type.getSimpleName() + " WHERE ID = ?");
    Map<String, Object> row = table(type).get(id);
    return row == null ? null : row.get(column);
  }

  private Object entity(Class<?> type, int id, Map<String, Object> loaded) {
    Map<String, Object> values = new HashMap<>(loaded);
    Map<String, Object> dirty = new HashMap<>();
    return Proxy.newProxyInstance(
        type.getClassLoader(),
        new Class<?>[] {type},
        (proxy, method, args) -> {
          String name = method.getName();
          if (name.equals("getID")) {
            return id;
          }
          if (name.equals("save")) {
            save(type, id, dirty);
            return null;
          }
          if (name.startsWith("set")) {
            String column = column(name.substring(3));
            values.put(column, args[0]);
            dirty.put(column, args[0]);
            return null;
          }
          if (name.startsWith("get")) {
            String column = column(name.substring(3));
            if (!values.containsKey(column)) {
              values.put(column, lazyLoad(type, id, column));
            }
            Object value = values.get(column);
            Class<?> ret = method.getReturnType();
            if (ret == long.class) {
              return value == null ? 0L : ((Number) value).longValue();
            }
            if (ret == Long.class && value != null) {
              return ((Number) value).longValue();
            }
            return value;
          }
          if (name.equals("hashCode")) {
            return id;
          }
          if (name.equals("equals")) {
            return proxy == args[0];
          }
          if (name.equals("toString")) {
            return type.getSimpleName() + "#" + id;
          }
          throw new UnsupportedOperationException(name);
        });
  }

  private void save(Class<?> type, int id, Map<String, Object> dirty) {
    long window = raceWindowMillis;
    if (window > 0) {
      try {
        Thread.sleep(window);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (this) {
      statement("UPDATE " + type.getSimpleName() + " " + dirty.keySet());
      Map<String, Object> row = table(type).get(id);
      if (row == null) {
        return;
      }
      Map<String, Object> before = new HashMap<>(row);
      row.putAll(dirty);
      dirty.clear();
      onRollback(
          () -> {
            synchronized (this) {
              Map<String, Object> current = table(type).get(id);
              if (current != null) {
                current.clear();
                current.putAll(before);
              }
            }
          });
    }
  }

  /** {@code getRecordKey} → {@code RECORD_KEY}. */
  static String column(String property) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < property.length(); i++) {
      char c = property.charAt(i);
      if (Character.isUpperCase(c) && i > 0) {
        out.append('_');
      }
      out.append(Character.toUpperCase(c));
    }
    return out.toString();
  }

  /** The WHERE dialect the store writes. */
  static final class Where {
    private Where() {}

    static Predicate<Map<String, Object>> parse(String clause, Object[] params) {
      if (clause == null) {
        if (params != null && params.length > 0) {
          throw new AssertionError("parameters without a clause");
        }
        return row -> true;
      }
      Predicate<Map<String, Object>> all = row -> true;
      int next = 0;
      for (String term : clause.split(" AND ")) {
        String[] parts = term.trim().split(" ", 3);
        if (parts.length != 3) {
          throw new AssertionError("unexpected term: " + term);
        }
        String column = parts[0];
        String op = parts[1];
        if (!column.matches("[A-Z_]+")) {
          throw new AssertionError("unexpected column: " + column);
        }
        Predicate<Map<String, Object>> test;
        if (op.equals("IN")) {
          int n = parts[2].split(",").length;
          if (!parts[2].matches("\\(\\?(, \\?)*\\)")) {
            throw new AssertionError("unexpected IN list: " + parts[2]);
          }
          List<Object> values = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            values.add(params[next++]);
          }
          test = row -> values.stream().anyMatch(v -> same(row.get(column), v));
        } else {
          if (!parts[2].equals("?")) {
            throw new AssertionError("values must be bound parameters: " + term);
          }
          Object value = params[next++];
          test = row -> compare(row.get(column), op, value);
        }
        all = all.and(test);
      }
      if (next != params.length) {
        throw new AssertionError("clause uses " + next + " of " + params.length + " parameters");
      }
      return all;
    }

    private static boolean same(Object a, Object b) {
      if (a instanceof Number x && b instanceof Number y) {
        return x.longValue() == y.longValue();
      }
      return a != null && a.equals(b);
    }

    private static boolean compare(Object actual, String op, Object value) {
      if (actual == null) {
        return false;
      }
      if (op.equals("=")) {
        return same(actual, value);
      }
      long a = ((Number) actual).longValue();
      long b = ((Number) value).longValue();
      return switch (op) {
        case ">=" -> a >= b;
        case ">" -> a > b;
        case "<" -> a < b;
        case "<=" -> a <= b;
        default -> throw new AssertionError("unexpected operator: " + op);
      };
    }
  }
}
