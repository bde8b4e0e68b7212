package io.seatwarden.activity;

import com.atlassian.activeobjects.external.ActiveObjects;
import com.atlassian.beehive.ClusterLock;
import com.atlassian.beehive.ClusterLockService;
import io.seatwarden.store.SeenCoveredRow;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import net.java.ao.DBParam;
import net.java.ao.Query;

/**
 * The covered days in the product database ({@link SeenCoveredRow}), shared by every node.
 *
 * <p><b>Cluster-safe, one row per day.</b> {@link #cover} reads the day's row and inserts it only
 * when absent, under one cluster lock ({@code ClusterLockService}, database-backed on Data Center),
 * with the transaction begun after the lock is taken and committed before it is released: a second
 * node covering the same day finds the first node's row. Each node calls it at most once a day
 * ({@link SeenFlushJob}), so the lock is taken a few times a day per node, never on a request.
 */
public final class AoCoveredDays implements CoveredDays {
  /** The cluster lock's name (one row of the product's lock table). */
  static final String LOCK = "io.seatwarden.seen-covered";

  /** How long a cover waits for the lock before the flush job gives up until its next run. */
  static final long LOCK_WAIT_SECONDS = 15;

  /** Rows per read. */
  static final int PAGE = 5_000;

  private final ActiveObjects ao;
  private final ClusterLockService locks;

  /** The covered days of the plugin's Active Objects, guarded by {@code locks}. */
  public AoCoveredDays(ActiveObjects ao, ClusterLockService locks) {
    this.ao = Objects.requireNonNull(ao, "ao");
    this.locks = Objects.requireNonNull(locks, "locks");
  }

  @Override
  public void cover(long epochDay) {
    ClusterLock lock = locks.getLockForName(LOCK);
    boolean locked;
    try {
      locked = lock.tryLock(LOCK_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for the covered-days lock", e);
    }
    if (!locked) {
      throw new IllegalStateException(
          "the covered-days lock is held elsewhere for over " + LOCK_WAIT_SECONDS + " s");
    }
    try {
      ao.executeInTransaction(
          () -> {
            int rows =
                ao.count(
                    SeenCoveredRow.class,
                    Query.select().where(SeenCoveredRow.DAY + " = ?", epochDay));
            if (rows == 0) {
              ao.create(SeenCoveredRow.class, new DBParam(SeenCoveredRow.DAY, epochDay));
            }
            return null;
          });
    } finally {
      lock.unlock();
    }
  }

  @Override
  public NavigableSet<Long> days() {
    NavigableSet<Long> out = new TreeSet<>();
    int after = 0;
    while (true) {
      SeenCoveredRow[] rows =
          ao.find(
              SeenCoveredRow.class,
              Query.select().where(SeenCoveredRow.ID + " > ?", after).order("ID ASC").limit(PAGE));
      for (SeenCoveredRow row : rows) {
        out.add(row.getDay());
        after = Math.max(after, row.getID());
      }
      if (rows.length < PAGE) {
        return out;
      }
    }
  }
}
