package io.seatwarden.activity;

import java.util.NavigableSet;

/**
 * The UTC days (days since 1970-01-01) on which the seen filter was running on at least one node:
 * what lets {@link SeenHost} tell "not seen" from "not recording" (docs/activity.md, "Gaps").
 */
public interface CoveredDays {
  /**
   * Records {@code epochDay} as covered. Idempotent and cluster-safe: several nodes covering the
   * same day leave one record.
   *
   * @throws RuntimeException when the store refuses; the caller tries again at its next run
   */
  void cover(long epochDay);

  /** Every covered day, ascending. */
  NavigableSet<Long> days();
}
