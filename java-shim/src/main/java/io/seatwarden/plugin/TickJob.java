package io.seatwarden.plugin;

import com.atlassian.beehive.ClusterLock;
import com.atlassian.beehive.ClusterLockService;
import com.atlassian.scheduler.JobRunner;
import com.atlassian.scheduler.JobRunnerRequest;
import com.atlassian.scheduler.JobRunnerResponse;
import com.atlassian.scheduler.config.JobConfig;
import com.atlassian.scheduler.config.JobId;
import com.atlassian.scheduler.config.JobRunnerKey;
import com.atlassian.scheduler.config.RunMode;
import com.atlassian.scheduler.config.Schedule;
import com.atlassian.scheduler.status.JobDetails;
import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.bridge.TickReport;
import io.seatwarden.product.ActingUser;
import java.util.Date;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The cluster-wide scheduler job: every {@link #INTERVAL_MILLIS} one node calls {@link
 * Seatwarden#tick}, which runs due policies, resumes interrupted runs, applies retention and
 * queues mail.
 *
 * <p>{@code RUN_ONCE_PER_CLUSTER} already makes the scheduler pick one node; the cluster lock
 * {@link #LOCK_NAME} also covers a run started by hand or a run that outlasts its interval. A
 * node that finds the lock taken skips its turn (the other node is doing the work). The tick runs
 * as the automation account; afterwards the {@link BackgroundPump} is woken for work the tick
 * queued.
 */
public final class TickJob implements JobRunner {

  /** The runner's key (one per plugin, stable across versions). */
  public static final JobRunnerKey RUNNER_KEY = JobRunnerKey.of("io.seatwarden.tick");

  /** The scheduled job's id. */
  public static final JobId JOB_ID = JobId.of("io.seatwarden.tick");

  /** Every five minutes. */
  public static final long INTERVAL_MILLIS = 5 * 60 * 1000L;

  /** The cluster lock around {@code tick}. */
  public static final String LOCK_NAME = "io.seatwarden.tick";

  private final Seatwarden engine;
  private final ActingUser actingUser;
  private final ClusterLockService locks;
  private final LongSupplier clock;
  private final Runnable afterTick;

  /**
   * @param afterTick run after a successful tick (wakes the background pump)
   */
  public TickJob(
      Seatwarden engine,
      ActingUser actingUser,
      ClusterLockService locks,
      LongSupplier clock,
      Runnable afterTick) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.actingUser = Objects.requireNonNull(actingUser, "actingUser");
    this.locks = Objects.requireNonNull(locks, "locks");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.afterTick = Objects.requireNonNull(afterTick, "afterTick");
  }

  /** The job's configuration: once per cluster, every interval, first run one interval from now. */
  public static JobConfig config(long now) {
    return JobConfig.forJobRunnerKey(RUNNER_KEY)
        .withRunMode(RunMode.RUN_ONCE_PER_CLUSTER)
        .withSchedule(Schedule.forInterval(INTERVAL_MILLIS, new Date(now + INTERVAL_MILLIS)));
  }

  /**
   * Whether the scheduled job {@code details} (null: none) already is the one {@link #config}
   * describes: same runner, run mode and interval. The first-run time is not compared: scheduling
   * the same {@code JobId} again replaces the job, so a node start that re-schedules a current job
   * would push its next run back by a whole interval, and on a cluster whose nodes restart in
   * turn the tick could be postponed for as long as the rolling restart lasts.
   */
  public static boolean isCurrent(JobDetails details) {
    if (details == null) {
      return false;
    }
    Schedule schedule = details.getSchedule();
    return RUNNER_KEY.equals(details.getJobRunnerKey())
        && details.getRunMode() == RunMode.RUN_ONCE_PER_CLUSTER
        && schedule != null
        && schedule.getIntervalScheduleInfo() != null
        && schedule.getIntervalScheduleInfo().getIntervalInMillis() == INTERVAL_MILLIS;
  }

  @Override
  public JobRunnerResponse runJob(JobRunnerRequest request) {
    if (request.isCancellationRequested()) {
      return JobRunnerResponse.aborted("cancelled before it started");
    }
    ClusterLock lock = locks.getLockForName(LOCK_NAME);
    if (!lock.tryLock()) {
      return JobRunnerResponse.success("another node is running the Seatwarden tick");
    }
    TickReport report;
    try {
      report = actingUser.call(() -> engine.tick(clock.getAsLong()));
    } catch (EngineClosedException e) {
      return JobRunnerResponse.aborted("Seatwarden is being disabled");
    } catch (RuntimeException e) {
      // Engine and host messages carry keys, never personal data.
      return JobRunnerResponse.failed(e.getClass().getSimpleName() + ": " + e.getMessage());
    } finally {
      lock.unlock();
    }
    afterTick.run();
    return JobRunnerResponse.success(summary(report));
  }

  /** One log line about a tick. */
  static String summary(TickReport report) {
    return "runs started "
        + report.runs().size()
        + ", resumed "
        + report.resumed().size()
        + ", leased elsewhere "
        + report.skippedLeased()
        + ", audit entries purged "
        + report.purgedEntries()
        + ", mails queued "
        + report.mailsQueued()
        + ", unfinished password checks repaired "
        + report.loginChecksRepaired();
  }
}
