package io.seatwarden.activity;

import com.atlassian.activeobjects.external.ActiveObjects;
import io.seatwarden.store.SeenRow;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import net.java.ao.DBParam;
import net.java.ao.Query;

/**
 * The seen days in the product database, shared by every node of a cluster: the {@link SeenSink}
 * the recorders flush into, and what {@link SeenHost} reads when it pages users out.
 *
 * <p>Writes keep the maximum day per user. Reads go through the table in pages of {@link #PAGE}
 * rows by id, so 100k users never need one giant result.
 */
public final class AoSeenStore implements SeenSink, SeenDays {
  /** Rows per read. */
  static final int PAGE = 5_000;

  private final ActiveObjects ao;

  /** A store over the plugin's Active Objects. */
  public AoSeenStore(ActiveObjects ao) {
    this.ao = Objects.requireNonNull(ao, "ao");
  }

  @Override
  public void write(List<SeenMark> batch) {
    ao.executeInTransaction(
        () -> {
          for (SeenMark m : batch) {
            SeenRow[] rows =
                ao.find(SeenRow.class, Query.select().where(SeenRow.USER_KEY + " = ?", m.userKey()));
            if (rows.length == 0) {
              ao.create(
                  SeenRow.class,
                  new DBParam(SeenRow.USER_KEY, m.userKey()),
                  new DBParam(SeenRow.DAY, m.epochDay()));
            }
            for (SeenRow row : rows) {
              if (row.getDay() < m.epochDay()) {
                row.setDay(m.epochDay());
                row.save();
              }
            }
          }
          return null;
        });
  }

  @Override
  public Map<String, Long> all() {
    Map<String, Long> out = new HashMap<>();
    int after = 0;
    while (true) {
      SeenRow[] rows =
          ao.find(
              SeenRow.class,
              Query.select().where(SeenRow.ID + " > ?", after).order("ID ASC").limit(PAGE));
      for (SeenRow row : rows) {
        out.merge(row.getUserKey(), row.getDay(), Math::max);
        after = Math.max(after, row.getID());
      }
      if (rows.length < PAGE) {
        return out;
      }
    }
  }

  @Override
  public OptionalLong day(String userKey) {
    SeenRow[] rows = ao.find(SeenRow.class, Query.select().where(SeenRow.USER_KEY + " = ?", userKey));
    OptionalLong best = OptionalLong.empty();
    for (SeenRow row : rows) {
      if (best.isEmpty() || row.getDay() > best.getAsLong()) {
        best = OptionalLong.of(row.getDay());
      }
    }
    return best;
  }
}
