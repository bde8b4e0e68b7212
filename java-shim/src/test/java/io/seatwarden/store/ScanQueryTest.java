package io.seatwarden.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.seatwarden.bridge.RecordStore.Scan;
import java.util.Collections;
import java.util.List;
import net.java.ao.Query;
import org.junit.jupiter.api.Test;

class ScanQueryTest {

  @Test
  void emptyScanSelectsEverythingOldestFirst() {
    ScanQuery q = ScanQuery.of(new Scan(null, null, null, null, null, null, false, null));
    assertNull(q.where());
    assertEquals(List.of(), q.params());
    assertEquals("ID ASC", q.order());
    Query select = q.toSelect();
    assertNull(select.getWhereClause());
    assertEquals("ID ASC", select.getOrderClause());
    assertEquals(-1, select.getLimit());
  }

  @Test
  void everyBoundBecomesABoundParameterInOrder() {
    ScanQuery q =
        ScanQuery.of(new Scan(9L, List.of("a", "b"), 100L, 200L, 3L, 50L, true, 25));
    assertEquals(
        "GROUP_ID = ? AND KIND IN (?, ?) AND AT_TIME >= ? AND AT_TIME < ? AND ID > ? AND ID < ?",
        q.where());
    assertEquals(List.of(9L, "a", "b", 100L, 200L, 3, 50), q.params());
    Query select = q.toSelect();
    assertEquals("ID DESC", select.getOrderClause());
    assertEquals(25, select.getLimit());
    assertArrayEquals(q.params().toArray(), select.getWhereParams());
  }

  @Test
  void oneKindIsAnEquality() {
    ScanQuery q = ScanQuery.of(new Scan(null, List.of("warn"), null, null, null, null, false, null));
    assertEquals("KIND = ?", q.where());
  }

  @Test
  void countFilterHasNoOrderOrLimit() {
    Query filter = ScanQuery.of(new Scan(1L, List.of(), null, null, null, null, true, 5)).filter();
    assertEquals("GROUP_ID = ?", filter.getWhereClause());
    assertNull(filter.getOrderClause());
    assertEquals(-1, filter.getLimit());
  }

  @Test
  void cursorsBeyondIntRangeAreClamped() {
    ScanQuery q = ScanQuery.of(new Scan(null, List.of(), null, null, Long.MAX_VALUE, null, false, null));
    assertEquals(List.of(Integer.MAX_VALUE), q.params());
  }

  @Test
  void valuesNeverReachTheClauseText() {
    ScanQuery q =
        ScanQuery.of(new Scan(null, List.of("x' OR '1'='1"), null, null, null, null, false, null));
    assertEquals("KIND = ?", q.where());
  }

  @Test
  void badScansAreRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ScanQuery.of(new Scan(null, List.of(), null, null, null, null, false, -1)));
    List<String> many = Collections.nCopies(ScanQuery.MAX_KINDS + 1, "k");
    assertThrows(
        IllegalArgumentException.class,
        () -> ScanQuery.of(new Scan(null, many, null, null, null, null, false, null)));
  }
}
