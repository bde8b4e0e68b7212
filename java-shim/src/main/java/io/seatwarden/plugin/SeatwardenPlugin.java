package io.seatwarden.plugin;

import com.atlassian.activeobjects.external.ActiveObjects;
import com.atlassian.beehive.ClusterLockService;
import com.atlassian.event.api.EventListener;
import com.atlassian.event.api.EventPublisher;
import com.atlassian.plugin.event.events.PluginFrameworkShuttingDownEvent;
import com.atlassian.sal.api.lifecycle.LifecycleAware;
import com.atlassian.scheduler.SchedulerService;
import com.atlassian.scheduler.SchedulerServiceException;
import io.seatwarden.activity.AoCoveredDays;
import io.seatwarden.activity.AoSeenStore;
import io.seatwarden.activity.SeenFlushJob;
import io.seatwarden.activity.SeenHost;
import io.seatwarden.activity.SeenRecorder;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.RecordStore;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.login.LoginHook;
import io.seatwarden.login.LoginListeners;
import io.seatwarden.login.Reactivation;
import io.seatwarden.login.ReactivationSource;
import io.seatwarden.store.AoRecordStore;
import io.seatwarden.web.AdminBackend;
import io.seatwarden.web.StartFailure;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.osgi.framework.BundleContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's lifecycle: everything Seatwarden starts when the plugin is enabled, and stops
 * again when it is disabled, upgraded or uninstalled.
 *
 * <p>{@link #start} (SAL's {@link LifecycleAware#onStart}: the product has started and the plugin
 * is enabled, so Active Objects and the scheduler are usable) detects the product,
 * opens the engine over the product's host and the Active Objects store, starts the background
 * pump, registers the login listener and the scheduler job. {@link #stop} ({@link
 * LifecycleAware#onStop}, and the Spring context's destroy method as a second guard: plugin
 * disable, upgrade, uninstall, product shut-down) undoes each step in reverse order, each in its own guard so one failure
 * cannot leave the rest behind: the job runner is unregistered (and the job unscheduled, except
 * while the whole product shuts down, when the cluster's other nodes still need it), the listeners
 * unregistered, the pump's thread stopped, the native engine closed, the product services given
 * back. A failed start undoes the steps it had taken.
 *
 * <p>The servlet and the login filter reach the engine through {@link #running()}: empty while
 * stopped, so a request racing a disable gets a 503 rather than a closed engine.
 */
public final class SeatwardenPlugin implements LifecycleAware, ReactivationSource, AdminBackend {

  private static final Logger LOG = LoggerFactory.getLogger(SeatwardenPlugin.class);

  /**
   * What runs while the plugin is enabled.
   *
   * @param product {@code jira} or {@code confluence}
   * @param engine the open engine
   * @param pump the background pump (wake it after queuing work)
   * @param reactivation the login filter's logic
   */
  public record Running(
      String product, Seatwarden engine, BackgroundPump pump, Reactivation reactivation) {}

  private final Supplier<? extends Services> servicesFactory;
  private final ProductBindings bindings;
  private final SeatwardenOpener opener;
  private final EventPublisher events;
  private final SchedulerService scheduler;
  private final ClusterLockService locks;
  private final ActiveObjects ao;
  private final LongSupplier clock;

  private final Deque<Runnable> undo = new ArrayDeque<>();
  private volatile Running running;
  private volatile StartFailure startFailure;
  private volatile boolean productShuttingDown;
  /** The seen signal's per-node marks (docs/activity.md); none: the signal is off. */
  private volatile SeenRecorder seenRecorder;

  /** The production wiring (see {@code META-INF/spring/seatwarden.xml}). */
  public SeatwardenPlugin(
      BundleContext bundleContext,
      SeatwardenOpener opener,
      EventPublisher events,
      SchedulerService scheduler,
      ClusterLockService locks,
      ActiveObjects ao) {
    this(
        () -> new OsgiServices(bundleContext),
        new ProductBindings(),
        opener,
        events,
        scheduler,
        locks,
        ao,
        System::currentTimeMillis);
  }

  /** Any wiring (tests). */
  public SeatwardenPlugin(
      Supplier<? extends Services> servicesFactory,
      ProductBindings bindings,
      SeatwardenOpener opener,
      EventPublisher events,
      SchedulerService scheduler,
      ClusterLockService locks,
      ActiveObjects ao,
      LongSupplier clock) {
    this.servicesFactory = Objects.requireNonNull(servicesFactory, "servicesFactory");
    this.bindings = Objects.requireNonNull(bindings, "bindings");
    this.opener = Objects.requireNonNull(opener, "opener");
    this.events = Objects.requireNonNull(events, "events");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.locks = Objects.requireNonNull(locks, "locks");
    this.ao = Objects.requireNonNull(ao, "ao");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The recorder the seen filter marks into (Spring property; the filter gets the same bean). Set
   * before {@link #start}; without it no seen signal is recorded or declared.
   */
  public void setSeenRecorder(SeenRecorder recorder) {
    this.seenRecorder = recorder;
  }

  @Override
  public void onStart() {
    start();
  }

  @Override
  public void onStop() {
    stop();
  }

  /**
   * Plugin enabled: opens and registers everything; on failure undoes what it did, keeps the
   * failure for the admin UI ({@link #startFailure}), logs it and throws (SAL logs it too).
   */
  public synchronized void start() {
    if (running != null) {
      return;
    }
    productShuttingDown = false;
    startFailure = null;
    try {
      Services services = servicesFactory.get();
      if (services instanceof AutoCloseable closeable) {
        undo.push(() -> closeQuietly("product services", closeable));
      }
      RecordStore store = new AoRecordStore(ao, locks);
      ProductBinding binding = bindings.create(services, new AutomationAccount(store, clock));

      SeenRecorder recorder = seenRecorder;
      AoSeenStore seen = new AoSeenStore(ao);
      AoCoveredDays covered = new AoCoveredDays(ao, locks);
      Host host = recorder == null ? binding.host() : new SeenHost(binding.host(), seen, covered);
      Seatwarden engine =
          opener.open(
              binding.product(),
              ProductThreads.host(binding.product(), services, host),
              store,
              clock);
      undo.push(() -> closeQuietly("engine", engine));

      BackgroundPump pump =
          new BackgroundPump(
              engine,
              binding.actingUser(),
              ProductThreads.perSlice(binding.product(), services),
              clock);
      undo.push(() -> closeQuietly("background pump", pump));

      events.register(this);
      undo.push(() -> events.unregister(this));
      Object listener =
          LoginListeners.forProduct(
              binding.product(), new LoginHook(engine, binding.actingUser(), clock));
      events.register(listener);
      undo.push(() -> events.unregister(listener));

      TickJob job = new TickJob(engine, binding.actingUser(), locks, clock, pump::wake);
      scheduler.registerJobRunner(TickJob.RUNNER_KEY, job);
      undo.push(() -> scheduler.unregisterJobRunner(TickJob.RUNNER_KEY));
      if (!TickJob.isCurrent(scheduler.getJobDetails(TickJob.JOB_ID))) {
        scheduler.scheduleJob(TickJob.JOB_ID, TickJob.config(clock.getAsLong()));
      }
      undo.push(
          () -> {
            if (!productShuttingDown) {
              scheduler.unscheduleJob(TickJob.JOB_ID);
            }
          });

      if (recorder != null) {
        SeenFlushJob flush = new SeenFlushJob(recorder, seen, covered, clock);
        scheduler.registerJobRunner(SeenFlushJob.RUNNER_KEY, flush);
        undo.push(() -> scheduler.unregisterJobRunner(SeenFlushJob.RUNNER_KEY));
        scheduler.scheduleJob(SeenFlushJob.JOB_ID, SeenFlushJob.config(clock.getAsLong()));
        undo.push(
            () -> {
              scheduler.unscheduleJob(SeenFlushJob.JOB_ID);
              // A clean stop loses nothing: the last marks go to the store now.
              flush.flush();
            });
      }

      Reactivation reactivation =
          new Reactivation(engine, binding.loginAccounts(), binding.actingUser(), locks, clock);
      running = new Running(binding.product(), engine, pump, reactivation);
      // Work queued before the last shutdown (an interrupted bulk action) resumes now.
      pump.wake();
      LOG.info("Seatwarden started for {}", binding.product());
    } catch (SchedulerServiceException e) {
      stop();
      IllegalStateException failure =
          new IllegalStateException("Seatwarden could not schedule its job", e);
      keep(failure);
      throw failure;
    } catch (RuntimeException | Error e) {
      stop();
      keep(e);
      throw e;
    }
  }

  /** Remembers why the start failed, for the admin UI, and says it in the product log. */
  private void keep(Throwable failure) {
    StartFailure kept = StartFailure.of(failure, clock.getAsLong());
    startFailure = kept;
    LOG.error("Seatwarden could not start: {}", kept.message(), failure);
  }

  /** Plugin disabled: stops and unregisters everything start did; idempotent. */
  public synchronized void stop() {
    running = null;
    while (!undo.isEmpty()) {
      Runnable step = undo.pop();
      try {
        step.run();
      } catch (RuntimeException e) {
        LOG.warn("Seatwarden could not undo a start step: {}", e.toString());
      }
    }
  }

  /** Why the last start failed, until the next start (empty while running or never failed). */
  @Override
  public Optional<StartFailure> startFailure() {
    return Optional.ofNullable(startFailure);
  }

  /** The running engine and its helpers, or empty while stopped. */
  public Optional<Running> running() {
    return Optional.ofNullable(running);
  }

  @Override
  public Optional<Seatwarden> engine() {
    return running().map(Running::engine);
  }

  @Override
  public void workQueued() {
    running().ifPresent(r -> r.pump().wake());
  }

  @Override
  public Optional<String> product() {
    return running().map(Running::product);
  }

  @Override
  public Optional<Reactivation> reactivation() {
    return running().map(Running::reactivation);
  }

  /**
   * The product is shutting down (not just this plugin): keep the cluster-wide job scheduled for
   * the other nodes.
   */
  @EventListener
  public void onProductShuttingDown(PluginFrameworkShuttingDownEvent event) {
    productShuttingDown = true;
  }

  private static void closeQuietly(String what, AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      LOG.warn("Seatwarden could not close its {}: {}", what, e.toString());
    }
  }
}
