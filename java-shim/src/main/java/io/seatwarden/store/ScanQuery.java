package io.seatwarden.store;

import io.seatwarden.bridge.RecordStore.Scan;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.java.ao.Query;

/**
 * Turns a {@link Scan} into the WHERE clause, parameters, order and limit of an Active Objects
 * query: the pure half of {@link AoRecordStore}, tested on its own.
 *
 * <p>Only bound parameters carry values (never string concatenation of data), and column names
 * are the upper-case unquoted names Active Objects quotes for each database itself.
 *
 * @param where the clause, or null when the scan selects every row
 * @param params the clause's parameters, in order
 * @param order {@code ID ASC} or {@code ID DESC}
 * @param limit the row limit, or null
 */
public record ScanQuery(String where, List<Object> params, String order, Integer limit) {

  /** The largest IN list one clause carries (Oracle allows 1000 expressions). */
  static final int MAX_KINDS = 1000;

  /** Builds the query parts of {@code scan}. */
  public static ScanQuery of(Scan scan) {
    List<String> terms = new ArrayList<>();
    List<Object> params = new ArrayList<>();
    if (scan.group() != null) {
      terms.add(RecordRow.GROUP_ID + " = ?");
      params.add(scan.group());
    }
    List<String> kinds = scan.kinds() == null ? List.of() : scan.kinds();
    if (kinds.size() > MAX_KINDS) {
      throw new IllegalArgumentException(
          "a scan names " + kinds.size() + " kinds, at most " + MAX_KINDS + " are allowed");
    }
    if (kinds.size() == 1) {
      terms.add(RecordRow.KIND + " = ?");
      params.add(kinds.get(0));
    } else if (!kinds.isEmpty()) {
      terms.add(
          RecordRow.KIND + " IN (" + String.join(", ", Collections.nCopies(kinds.size(), "?")) + ")");
      params.addAll(kinds);
    }
    if (scan.timeFrom() != null) {
      terms.add(RecordRow.AT_TIME + " >= ?");
      params.add(scan.timeFrom());
    }
    if (scan.timeTo() != null) {
      terms.add(RecordRow.AT_TIME + " < ?");
      params.add(scan.timeTo());
    }
    if (scan.afterId() != null) {
      terms.add(RecordRow.ID + " > ?");
      params.add(idParam(scan.afterId()));
    }
    if (scan.beforeId() != null) {
      terms.add(RecordRow.ID + " < ?");
      params.add(idParam(scan.beforeId()));
    }
    if (scan.limit() != null && scan.limit() < 0) {
      throw new IllegalArgumentException("a scan limit must not be negative, got " + scan.limit());
    }
    String where = terms.isEmpty() ? null : String.join(" AND ", terms);
    String order = RecordRow.ID + (scan.descending() ? " DESC" : " ASC");
    return new ScanQuery(where, List.copyOf(params), order, scan.limit());
  }

  /** The Active Objects query for a scan: clause, order and limit. */
  public Query toSelect() {
    Query query = filter();
    query.order(order);
    if (limit != null) {
      query.limit(limit);
    }
    return query;
  }

  /** The Active Objects query for a count: the clause alone (order and limit do not apply). */
  public Query filter() {
    Query query = Query.select();
    if (where != null) {
      query.where(where, params.toArray());
    }
    return query;
  }

  /**
   * Ids are Active Objects' {@code int} primary keys; a cursor beyond that range is clamped so
   * the comparison keeps its meaning (no row has such an id).
   */
  private static Object idParam(long id) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, id));
  }
}
