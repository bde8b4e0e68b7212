package io.seatwarden.store;

import net.java.ao.Entity;
import net.java.ao.Preload;
import net.java.ao.schema.Indexed;
import net.java.ao.schema.NotNull;
import net.java.ao.schema.StringLength;
import net.java.ao.schema.Table;

/**
 * The "seen" signal's table (docs/activity.md §4.3): per user key, the latest UTC day any node saw
 * them. Written by {@link io.seatwarden.activity.AoSeenStore} (maximum of dates, so nodes and
 * retried batches never move a date back); read when the host pages users out.
 *
 * <p>Two nodes may insert the same new user at once (no unique constraint on a portable AO
 * schema); readers take the maximum over such rows and writers raise every row of the key, so a
 * duplicate costs a row, never a wrong date.
 */
@Preload
@Table("SW_SEEN")
public interface SeenRow extends Entity {

  /** Column names, as Active Objects derives them from the getters. */
  String USER_KEY = "USER_KEY";

  String DAY = "DAY";

  String ID = "ID";

  /** The product's stable user key. */
  @Indexed
  @NotNull
  @StringLength(255)
  String getUserKey();

  void setUserKey(String key);

  /** The latest UTC day (days since 1970-01-01) the user was seen. */
  @NotNull
  long getDay();

  void setDay(long day);
}
