package io.seatwarden.activity;

import com.atlassian.scheduler.JobRunner;
import com.atlassian.scheduler.JobRunnerRequest;
import com.atlassian.scheduler.JobRunnerResponse;
import com.atlassian.scheduler.config.JobConfig;
import com.atlassian.scheduler.config.JobId;
import com.atlassian.scheduler.config.JobRunnerKey;
import com.atlassian.scheduler.config.RunMode;
import com.atlassian.scheduler.config.Schedule;
import java.util.Date;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Flushes this node's seen marks to the shared store ({@code RUN_LOCALLY}: every node flushes its
 * own memory; the cluster-wide tick job runs on one node only and would never see the others'
 * marks). The interval is the restart bound of docs/activity.md §4.3: a node that stops loses at
 * most the marks of one interval.
 *
 * <p><b>Covered days.</b> Every run, whether or not anyone was seen, also records today as
 * covered ({@link CoveredDays}), once a day per node: the job only runs while the plugin (and so
 * its filter) is enabled, so a day with no record anywhere is a day nothing recorded, which {@link
 * SeenHost} declares as a gap. Today is recorded after the marks are written: a flush that fails
 * leaves the day uncovered until a run succeeds, which can only declare a gap too many (more
 * approvals), never hide one.
 */
public final class SeenFlushJob implements JobRunner {
  /** The runner's key. */
  public static final JobRunnerKey RUNNER_KEY = JobRunnerKey.of("io.seatwarden.seen-flush");

  /** The job's id (node-local). */
  public static final JobId JOB_ID = JobId.of("io.seatwarden.seen-flush");

  /** Every five minutes: the most a node restart loses. */
  public static final long INTERVAL_MILLIS = 5 * 60 * 1000L;

  private static final long DAY_MS = 86_400_000L;

  private final SeenRecorder recorder;
  private final SeenSink sink;
  private final CoveredDays covered;
  private final LongSupplier clock;
  /** The last day this node recorded as covered (memory: a restart records today once more). */
  private long coveredDay = Long.MIN_VALUE;

  /** A flush of {@code recorder} into {@code sink} that records each day in {@code covered}. */
  public SeenFlushJob(
      SeenRecorder recorder, SeenSink sink, CoveredDays covered, LongSupplier clock) {
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.covered = Objects.requireNonNull(covered, "covered");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The job's configuration: on this node, every interval, first run one interval from now. */
  public static JobConfig config(long now) {
    return JobConfig.forJobRunnerKey(RUNNER_KEY)
        .withRunMode(RunMode.RUN_LOCALLY)
        .withSchedule(Schedule.forInterval(INTERVAL_MILLIS, new Date(now + INTERVAL_MILLIS)));
  }

  /**
   * Flushes now, then records today as covered if this node has not yet (also called when the
   * plugin stops, so a clean stop loses nothing). One flush at a time per node.
   *
   * @return how many marks were written
   */
  public synchronized int flush() {
    long today = Math.floorDiv(clock.getAsLong(), DAY_MS);
    int written = recorder.flush(sink, today);
    if (coveredDay != today) {
      covered.cover(today);
      coveredDay = today;
    }
    return written;
  }

  @Override
  public JobRunnerResponse runJob(JobRunnerRequest request) {
    try {
      int written = flush();
      return JobRunnerResponse.success(written + " seen mark(s) flushed");
    } catch (RuntimeException e) {
      // The marks stay pending for the next run. Keys only, never personal data.
      return JobRunnerResponse.failed("seen marks not flushed: " + e.getClass().getSimpleName());
    }
  }
}
