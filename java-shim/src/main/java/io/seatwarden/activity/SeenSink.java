package io.seatwarden.activity;

import java.util.List;

/**
 * Where flushed "seen" marks go: the shared store in a Data Center cluster. Implementations must
 * keep the maximum day per user ({@code day = max(day, mark.epochDay)}): two nodes flushing the
 * same user, or a retried batch, never move a date backwards.
 */
public interface SeenSink {
  /**
   * Writes one batch (at most {@link SeenRecorder#BATCH} marks, one per user).
   *
   * @throws RuntimeException when the store refuses the batch; the recorder then keeps the marks
   *     for the next flush
   */
  void write(List<SeenMark> batch);
}
