package io.seatwarden.store;

import net.java.ao.Entity;
import net.java.ao.Preload;
import net.java.ao.schema.Indexed;
import net.java.ao.schema.NotNull;
import net.java.ao.schema.Table;

/**
 * The seen signal's covered days (docs/activity.md, "Gaps"): one row per UTC day on which some
 * node's seen filter was running, written by {@link io.seatwarden.activity.AoCoveredDays} from the
 * node-local flush job. A day between the first row and yesterday without a row is a day the
 * filter recorded nothing (plugin disabled, every node down): the seen signal declares it as a gap.
 *
 * <p>One row per day, made unique by a cluster lock around "read, insert if absent" (a portable
 * Active Objects schema has no unique constraint); readers merge duplicate days anyway. Never
 * pruned: the gap rule needs every day since recording began, and a decade is 3,650 rows.
 */
@Preload
@Table("SW_SEEN_COVERED")
public interface SeenCoveredRow extends Entity {

  /** Column names, as Active Objects derives them from the getters. */
  String DAY = "DAY";

  String ID = "ID";

  /** The covered UTC day (days since 1970-01-01). */
  @Indexed
  @NotNull
  long getDay();

  void setDay(long day);
}
