package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.scheduler.JobRunnerRequest;
import com.atlassian.scheduler.JobRunnerResponse;
import com.atlassian.scheduler.config.JobConfig;
import com.atlassian.scheduler.config.RunMode;
import io.seatwarden.store.FakeClusterLockService;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TickJobTest {

  private final FakeActingUser acting = new FakeActingUser();
  private final FakeSeatwarden engine = new FakeSeatwarden(acting);
  private final FakeClusterLockService locks = new FakeClusterLockService();
  private final AtomicInteger wakes = new AtomicInteger();
  private final TickJob job = new TickJob(engine, acting, locks, () -> 1234L, wakes::incrementAndGet);

  static JobRunnerRequest request(boolean cancelled) {
    return new JobRunnerRequest() {
      @Override
      public boolean isCancellationRequested() {
        return cancelled;
      }
    };
  }

  @Test
  void ticksUnderTheClusterLockAsTheAutomationAccountThenWakesThePump() {
    JobRunnerResponse response = job.runJob(request(false));
    assertTrue(response.toString().startsWith("SUCCESS"), response.toString());
    assertTrue(response.getMessage().contains("runs started 1"), response.getMessage());
    assertEquals(List.of(1234L), engine.ticks);
    assertEquals(List.of(true), engine.asAdmin);
    assertEquals(List.of(TickJob.LOCK_NAME), locks.acquired);
    assertFalse(locks.isLocked(TickJob.LOCK_NAME));
    assertEquals(1, wakes.get());
  }

  @Test
  void anotherNodeHoldingTheLockMeansThisNodeSkips() throws Exception {
    AutoCloseable held = locks.holdElsewhere(TickJob.LOCK_NAME);
    try {
      JobRunnerResponse response = job.runJob(request(false));
      assertTrue(response.toString().startsWith("SUCCESS"));
      assertTrue(response.getMessage().contains("another node"));
    } finally {
      held.close();
    }
    assertEquals(List.of(), engine.ticks);
  }

  @Test
  void failuresAreReportedAndReleaseTheLock() {
    engine.tickFailure = new IllegalStateException("store unavailable");
    JobRunnerResponse response = job.runJob(request(false));
    assertTrue(response.toString().startsWith("FAILED"), response.toString());
    assertFalse(locks.isLocked(TickJob.LOCK_NAME));
    assertEquals(0, wakes.get());
    engine.close();
    assertTrue(job.runJob(request(false)).toString().startsWith("ABORTED"));
    assertTrue(job.runJob(request(true)).toString().startsWith("ABORTED"));
  }

  @Test
  void scheduledOncePerClusterEveryFiveMinutes() {
    JobConfig config = TickJob.config(1_000_000L);
    assertEquals(TickJob.RUNNER_KEY, config.getJobRunnerKey());
    assertEquals(RunMode.RUN_ONCE_PER_CLUSTER, config.getRunMode());
    assertEquals(300_000L, config.getSchedule().getIntervalScheduleInfo().getIntervalInMillis());
    assertEquals(new Date(1_300_000L), config.getSchedule().getIntervalScheduleInfo().getFirstRunTime());
  }
}
