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
  private final LongSupplier clock;

  /** A flush of {@code recorder} into {@code sink}. */
  public SeenFlushJob(SeenRecorder recorder, SeenSink sink, LongSupplier clock) {
    this.recorder = Objects.requireNonNull(recorder, "recorder");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The job's configuration: on this node, every interval, first run one interval from now. */
  public static JobConfig config(long now) {
    return JobConfig.forJobRunnerKey(RUNNER_KEY)
        .withRunMode(RunMode.RUN_LOCALLY)
        .withSchedule(Schedule.forInterval(INTERVAL_MILLIS, new Date(now + INTERVAL_MILLIS)));
  }

  /** Flushes now (also called when the plugin stops, so a clean stop loses nothing). */
  public int flush() {
    return recorder.flush(sink, Math.floorDiv(clock.getAsLong(), DAY_MS));
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
