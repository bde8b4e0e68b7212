package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.activeobjects.external.ActiveObjects;
import com.atlassian.event.api.EventPublisher;
import com.atlassian.plugin.event.events.PluginFrameworkShuttingDownEvent;
import com.atlassian.scheduler.JobRunner;
import com.atlassian.scheduler.SchedulerService;
import com.atlassian.scheduler.SchedulerServiceException;
import com.atlassian.scheduler.config.JobConfig;
import com.atlassian.scheduler.config.JobId;
import com.atlassian.scheduler.config.JobRunnerKey;
import com.atlassian.scheduler.config.RunMode;
import com.atlassian.scheduler.config.Schedule;
import com.atlassian.scheduler.status.JobDetails;
import io.seatwarden.activity.AoSeenStore;
import io.seatwarden.activity.SeenFlushJob;
import io.seatwarden.activity.SeenRecorder;
import io.seatwarden.bridge.NativeLoadException;
import io.seatwarden.bridge.Host;
import io.seatwarden.login.JiraLoginListener;
import io.seatwarden.login.LoginAccounts;
import io.seatwarden.store.AoRecordStore;
import io.seatwarden.store.FakeActiveObjects;
import io.seatwarden.store.FakeClusterLockService;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SeatwardenPluginTest {

  /** The product's scheduler: what is registered and scheduled now. */
  static final class FakeScheduler implements SchedulerService {
    final Map<JobRunnerKey, JobRunner> runners = new HashMap<>();
    final Map<JobId, JobConfig> jobs = new HashMap<>();
    boolean refuse;
    /** How often scheduleJob was called (each call replaces the job and its next run). */
    int schedules;

    @Override
    public void registerJobRunner(JobRunnerKey key, JobRunner runner) {
      runners.put(key, runner);
    }

    @Override
    public void unregisterJobRunner(JobRunnerKey key) {
      runners.remove(key);
    }

    @Override
    public void scheduleJob(JobId id, JobConfig config) throws SchedulerServiceException {
      if (refuse) {
        throw new SchedulerServiceException("scheduler not started");
      }
      schedules++;
      jobs.put(id, config);
    }

    @Override
    public JobDetails getJobDetails(JobId id) {
      JobConfig config = jobs.get(id);
      if (config == null) {
        return null;
      }
      return new JobDetails() {
        @Override
        public JobRunnerKey getJobRunnerKey() {
          return config.getJobRunnerKey();
        }

        @Override
        public RunMode getRunMode() {
          return config.getRunMode();
        }

        @Override
        public Schedule getSchedule() {
          return config.getSchedule();
        }
      };
    }

    @Override
    public void unscheduleJob(JobId id) {
      jobs.remove(id);
    }
  }

  /** The product's event bus: who is registered now. */
  static final class FakeEvents implements EventPublisher {
    final List<Object> listeners = new ArrayList<>();

    @Override
    public void publish(Object event) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void register(Object listener) {
      listeners.add(listener);
    }

    @Override
    public void unregister(Object listener) {
      listeners.remove(listener);
    }
  }

  /** Services holding a host and login accounts, remembering whether they were given back. */
  static final class FakeServices implements Services, AutoCloseable {
    final AtomicBoolean closed = new AtomicBoolean();
    /** Jira's thread-local setup, counted (the drive thread must use it). */
    final java.util.concurrent.atomic.AtomicInteger preCalls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public <T> T get(Class<T> type) {
      if (type == com.atlassian.jira.util.thread.JiraThreadLocalUtil.class) {
        return type.cast(
            new com.atlassian.jira.util.thread.JiraThreadLocalUtil() {
              @Override
              public void preCall() {
                preCalls.incrementAndGet();
              }

              @Override
              public void postCall(org.apache.log4j.Logger log) {}
            });
      }
      return type.cast(
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {type},
              (p, m, a) -> {
                throw new UnsupportedOperationException(m.getName());
              }));
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  private final FakeScheduler scheduler = new FakeScheduler();
  private final FakeEvents events = new FakeEvents();
  private final FakeServices services = new FakeServices();
  private final FakeClusterLockService locks = new FakeClusterLockService();
  private final AtomicReference<FakeSeatwarden> opened = new AtomicReference<>();
  private final ActiveObjects ao =
      (ActiveObjects)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {ActiveObjects.class},
              (p, m, a) -> {
                throw new UnsupportedOperationException(m.getName());
              });
  private final ProductBindings bindings =
      new ProductBindings(
          getClass().getClassLoader(),
          List.of(
              new ProductBindings.Candidate("none", "no.such.Product", "no.such.Factory"),
              new ProductBindings.Candidate(
                  "jira", "java.lang.String", TestBindingFactory.class.getName())));

  private SeatwardenPlugin plugin(SeatwardenOpener opener) {
    return new SeatwardenPlugin(
        () -> services, bindings, opener, events, scheduler, locks, ao, () -> 1_000_000L);
  }

  private SeatwardenOpener opener() {
    return (product, host, store) -> {
      assertEquals("jira", product);
      assertInstanceOf(Host.class, host);
      assertInstanceOf(AoRecordStore.class, store);
      FakeSeatwarden engine = new FakeSeatwarden(TestBindingFactory.ACTING);
      opened.set(engine);
      return engine;
    };
  }

  @Test
  void theSeenSignalFlushesOnThisNodeAndOnStop() throws Exception {
    FakeActiveObjects store = new FakeActiveObjects();
    SeenRecorder recorder = new SeenRecorder();
    SeatwardenPlugin plugin =
        new SeatwardenPlugin(
            () -> services, bindings, opener(), events, scheduler, locks, store, () -> 1_000_000L);
    plugin.setSeenRecorder(recorder);
    plugin.start();
    assertTrue(scheduler.runners.containsKey(SeenFlushJob.RUNNER_KEY));
    assertEquals(RunMode.RUN_LOCALLY, scheduler.jobs.get(SeenFlushJob.JOB_ID).getRunMode());
    recorder.seen("JIRAUSER10100", 11);
    plugin.stop();
    assertEquals(Map.of("JIRAUSER10100", 11L), new AoSeenStore(store).all(), "flushed on stop");
    assertFalse(scheduler.runners.containsKey(SeenFlushJob.RUNNER_KEY));
    assertFalse(scheduler.jobs.containsKey(SeenFlushJob.JOB_ID));
    assertEquals(0, recorder.pendingCount());
  }

  @Test
  void enableStartsEverythingAndDisableLeavesNothingBehind() throws Exception {
    SeatwardenPlugin plugin = plugin(opener());
    plugin.start();
    FakeSeatwarden engine = opened.get();
    SeatwardenPlugin.Running running = plugin.running().orElseThrow();
    assertSame(engine, running.engine());
    assertEquals("jira", running.product());
    assertEquals(java.util.Optional.of("jira"), plugin.product());
    assertTrue(scheduler.runners.containsKey(TickJob.RUNNER_KEY));
    assertTrue(scheduler.jobs.containsKey(TickJob.JOB_ID));
    assertTrue(events.listeners.contains(plugin));
    assertTrue(events.listeners.stream().anyMatch(JiraLoginListener.class::isInstance));
    assertTrue(plugin.reactivation().isPresent());
    assertTrue(TestBindingFactory.lastAutomationAccount instanceof AutomationAccount);

    // The job the scheduler would run ticks the engine.
    scheduler.runners.get(TickJob.RUNNER_KEY).runJob(TickJobTest.request(false));
    assertEquals(List.of(1_000_000L), engine.ticks);
    int drivesBefore = engine.drives.get();
    plugin.workQueued();
    BackgroundPumpTest.awaitIdle(running.pump());
    // The drive thread ran its slice inside Jira's thread-local setup (ProductThreads).
    assertTrue(engine.drives.get() > drivesBefore, "the pump drove the engine");
    assertTrue(services.preCalls.get() >= 1, "no JiraThreadLocalUtil.preCall on the drive thread");

    plugin.stop();
    assertTrue(plugin.running().isEmpty());
    assertTrue(plugin.engine().isEmpty());
    assertTrue(scheduler.runners.isEmpty(), "job runner left registered");
    assertTrue(scheduler.jobs.isEmpty(), "job left scheduled");
    assertTrue(events.listeners.isEmpty(), "listener left registered");
    assertTrue(engine.closed.get(), "native engine left open");
    assertTrue(services.closed.get(), "product services not given back");
    assertTrue(running.pump().terminated(), "background thread left running");
    // The plugin's own seatwarden-drive thread, joined by stop (no scan of every JVM thread).
    List<Thread> drive = running.pump().threads();
    assertEquals(1, drive.size());
    assertEquals("seatwarden-drive", drive.get(0).getName());
    assertFalse(drive.get(0).isAlive(), "seatwarden-drive thread alive");
    plugin.stop(); // idempotent
  }

  @Test
  void productShutdownKeepsTheClusterJobScheduledForTheOtherNodes() {
    SeatwardenPlugin plugin = plugin(opener());
    plugin.start();
    plugin.onProductShuttingDown(new PluginFrameworkShuttingDownEvent());
    plugin.stop();
    assertTrue(scheduler.runners.isEmpty());
    assertTrue(scheduler.jobs.containsKey(TickJob.JOB_ID));
    // A later enable (e.g. the next node start) schedules it afresh and unschedules on disable.
    plugin.start();
    plugin.stop();
    assertTrue(scheduler.jobs.isEmpty());
  }

  @Test
  void aFailedStartUndoesWhatItDid() {
    scheduler.refuse = true;
    SeatwardenPlugin plugin = plugin(opener());
    IllegalStateException e = assertThrows(IllegalStateException.class, plugin::start);
    assertTrue(e.getMessage().contains("schedule"));
    assertTrue(opened.get().closed.get());
    assertTrue(events.listeners.isEmpty());
    assertTrue(scheduler.runners.isEmpty());
    assertTrue(services.closed.get());
    assertTrue(plugin.running().isEmpty());
  }

  @Test
  void aNodeStartKeepsACurrentJobAndItsNextRun() {
    // Another node (or this one before a restart) scheduled the job an hour ago.
    JobConfig earlier = TickJob.config(1_000_000L - 3_600_000L);
    scheduler.jobs.put(TickJob.JOB_ID, earlier);
    SeatwardenPlugin plugin = plugin(opener());
    plugin.start();
    assertSame(earlier, scheduler.jobs.get(TickJob.JOB_ID), "the next run was pushed back");
    assertEquals(0, scheduler.schedules);
    plugin.onProductShuttingDown(new PluginFrameworkShuttingDownEvent());
    plugin.stop();
  }

  @Test
  void aMissingOrDifferentJobIsScheduled() {
    SeatwardenPlugin plugin = plugin(opener());
    plugin.start();
    assertEquals(1, scheduler.schedules, "missing: scheduled");
    plugin.onProductShuttingDown(new PluginFrameworkShuttingDownEvent());
    plugin.stop();
    // An older version's job with another interval and run mode is replaced.
    scheduler.jobs.put(
        TickJob.JOB_ID,
        JobConfig.forJobRunnerKey(TickJob.RUNNER_KEY)
            .withRunMode(RunMode.RUN_LOCALLY)
            .withSchedule(Schedule.forInterval(60_000L, new java.util.Date(0))));
    plugin.start();
    assertEquals(2, scheduler.schedules);
    assertTrue(TickJob.isCurrent(scheduler.getJobDetails(TickJob.JOB_ID)));
    plugin.stop();
    assertFalse(TickJob.isCurrent(null));
  }

  @Test
  void aFailedStartIsKeptWithItsReasonUntilTheNextStart() {
    NativeLoadException glibc =
        new NativeLoadException(
            NativeLoadException.Reason.GLIBC_TOO_OLD,
            "/lib64/libc.so.6: version `GLIBC_2.34' not found",
            Map.of(),
            null);
    AtomicBoolean fail = new AtomicBoolean(true);
    SeatwardenOpener real = opener();
    SeatwardenPlugin plugin =
        plugin(
            (product, host, store) -> {
              if (fail.get()) {
                throw glibc;
              }
              return real.open(product, host, store);
            });
    assertThrows(NativeLoadException.class, plugin::start);
    assertTrue(plugin.running().isEmpty());
    var kept = plugin.startFailure().orElseThrow();
    assertEquals("glibc_too_old", kept.reason());
    assertTrue(kept.message().contains("GLIBC_2.34"), kept.message());
    assertEquals(1_000_000L, kept.atMillis());
    // A failure that is not the native library's keeps its cause too.
    fail.set(false);
    scheduler.refuse = true;
    assertThrows(IllegalStateException.class, plugin::start);
    assertEquals("start_failed", plugin.startFailure().orElseThrow().reason());
    assertTrue(plugin.startFailure().orElseThrow().message().contains("scheduler not started"));
    scheduler.refuse = false;
    plugin.start();
    assertTrue(plugin.startFailure().isEmpty(), "a good start clears it");
    plugin.stop();
  }

  @Test
  void anEngineThatCannotOpenLeavesNothingBehind() {
    SeatwardenPlugin plugin =
        plugin(
            (product, host, store) -> {
              throw new IllegalStateException("native library missing");
            });
    assertThrows(IllegalStateException.class, plugin::start);
    assertTrue(services.closed.get());
    assertTrue(events.listeners.isEmpty());
    assertTrue(scheduler.runners.isEmpty());
  }

  @Test
  void noSupportedProductIsAClearError() {
    ProductBindings none =
        new ProductBindings(
            getClass().getClassLoader(),
            List.of(new ProductBindings.Candidate("jira", "no.such.Product", "x")));
    IllegalStateException e = assertThrows(IllegalStateException.class, none::detect);
    assertTrue(e.getMessage().contains("Jira or Confluence"));
    ProductBindings broken =
        new ProductBindings(
            getClass().getClassLoader(),
            List.of(new ProductBindings.Candidate("jira", "java.lang.String", "no.such.Factory")));
    assertThrows(IllegalStateException.class, () -> broken.create(services, () -> null));
    assertEquals("jira", new ProductBindings(getClass().getClassLoader(), ProductBindings.SUPPORTED).detect().product());
  }

  @Test
  void salLifecycleStartsAndStopsThePlugin() {
    SeatwardenPlugin plugin = plugin(opener());
    plugin.onStart();
    assertTrue(plugin.running().isPresent());
    plugin.onStart(); // a second start changes nothing
    assertEquals(1, scheduler.runners.size());
    plugin.onStop();
    assertTrue(plugin.running().isEmpty());
    assertTrue(scheduler.runners.isEmpty());
    assertTrue(opened.get().closed.get());
  }

  @Test
  void loginAccountsComeFromTheBinding() {
    SeatwardenPlugin plugin = plugin(opener());
    plugin.start();
    try {
      assertTrue(plugin.reactivation().isPresent());
      assertInstanceOf(LoginAccounts.class, services.get(LoginAccounts.class));
    } finally {
      plugin.stop();
    }
  }
}
