package io.seatwarden.activity;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records, per node, the users seen today, and hands them to a {@link SeenSink} in batches
 * (docs/activity.md §4.3).
 *
 * <p><b>Why in memory, debounced.</b> The filter runs on every authenticated request; a write (or a
 * JNI call) per request would cost the product more than everything else Seatwarden does. So the
 * request path is one {@link ConcurrentHashMap#get} when the user was already marked today on this
 * node; only the first request of a user per day per node does an atomic {@code compute} on that
 * map and a {@code put} into the pending map. Nothing is written until {@link #flush} runs (from
 * the node-local scheduled flush or the cluster job).
 *
 * <p><b>Bounds.</b>
 *
 * <ul>
 *   <li>Writes: at most one mark per user per day per node reaches the sink (a node restart clears
 *       the debounce map, so the first request after a restart marks once more; the store keeps
 *       the maximum, so that is harmless).
 *   <li>Memory: one entry per user seen on this node today or not yet flushed, at most {@code
 *       maxUsers} (default 200,000; about 100 bytes each, so ~10 MB at 100k users). Marks of earlier
 *       days are dropped from the debounce map at each flush. Past the bound, new users are not
 *       marked (counted in {@link #dropped()}), never an unbounded map.
 *   <li>Loss on restart: exactly the marks not yet flushed, that is at most one flush interval of
 *       first-of-the-day marks; a user seen only in that window loses that day's mark (the next
 *       request on a later day marks them again).
 *   <li>A failed flush keeps its marks for the next one (merged by maximum day).
 * </ul>
 */
public final class SeenRecorder {
  /** Marks per sink call. */
  public static final int BATCH = 1000;

  /** Default bound on tracked users per node. */
  public static final int DEFAULT_MAX_USERS = 200_000;

  private final int maxUsers;
  /** User key → the last day this node marked them. */
  private final ConcurrentHashMap<String, Long> marked = new ConcurrentHashMap<>();
  /** User key → day, marks not yet flushed. */
  private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();

  private final AtomicLong dropped = new AtomicLong();
  private final Object flushLock = new Object();

  /** A recorder with the default bound. */
  public SeenRecorder() {
    this(DEFAULT_MAX_USERS);
  }

  /**
   * A recorder tracking at most {@code maxUsers} users at once.
   *
   * @param maxUsers the bound, at least 1
   */
  public SeenRecorder(int maxUsers) {
    if (maxUsers < 1) {
      throw new IllegalArgumentException("maxUsers must be at least 1");
    }
    this.maxUsers = maxUsers;
  }

  /**
   * Notes that {@code userKey} was seen on {@code epochDay}. Cheap and non-blocking: a map lookup
   * when already marked that day; never writes anywhere but this node's memory.
   *
   * @return true when this call made the day's mark (the first for this user and day on this node)
   */
  public boolean seen(String userKey, long epochDay) {
    if (userKey == null || userKey.isEmpty()) {
      return false;
    }
    Long last = marked.get(userKey);
    if (last != null && last >= epochDay) {
      return false;
    }
    if (last == null && marked.size() >= maxUsers) {
      dropped.incrementAndGet();
      return false;
    }
    boolean[] won = {false};
    marked.compute(
        userKey,
        (k, old) -> {
          if (old != null && old >= epochDay) {
            return old;
          }
          won[0] = true;
          return epochDay;
        });
    if (won[0]) {
      pending.merge(userKey, epochDay, Math::max);
    }
    return won[0];
  }

  /**
   * Hands every pending mark to {@code sink} in batches of {@link #BATCH}, and forgets debounce
   * entries older than {@code today}. One flush at a time per node; a batch the sink refuses goes
   * back to pending (merged by maximum day) and the flush stops there, rethrowing.
   *
   * @return how many marks were written
   */
  public int flush(SeenSink sink, long today) {
    synchronized (flushLock) {
      int written = 0;
      List<SeenMark> batch = new ArrayList<>(BATCH);
      Iterator<Map.Entry<String, Long>> it = pending.entrySet().iterator();
      try {
        while (it.hasNext()) {
          Map.Entry<String, Long> e = it.next();
          String key = e.getKey();
          Long day = e.getValue();
          // Only remove the value read: a newer day put meanwhile stays pending.
          if (pending.remove(key, day)) {
            batch.add(new SeenMark(key, day));
          }
          if (batch.size() == BATCH) {
            sink.write(List.copyOf(batch));
            written += batch.size();
            batch.clear();
          }
        }
        if (!batch.isEmpty()) {
          sink.write(List.copyOf(batch));
          written += batch.size();
          batch.clear();
        }
      } catch (RuntimeException e) {
        for (SeenMark m : batch) {
          pending.merge(m.userKey(), m.epochDay(), Math::max);
        }
        throw e;
      }
      marked.values().removeIf(d -> d < today);
      return written;
    }
  }

  /** Marks waiting for the next flush. */
  public int pendingCount() {
    return pending.size();
  }

  /** Users tracked by the debounce map. */
  public int trackedCount() {
    return marked.size();
  }

  /** Marks not made because the bound was reached. */
  public long dropped() {
    return dropped.get();
  }
}
