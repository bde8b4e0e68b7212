package io.seatwarden.plugin;

import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.product.ActingUser;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's one background thread: calls {@link Seatwarden#drive} while it answers true.
 *
 * <p>The engine starts no threads; work an admin queues ("run now", a bulk action, an import) is
 * done in slices by whoever calls {@code drive}. The servlet and the scheduler job {@link #wake}
 * the pump after every call that may have queued work; a wake-up while a drain is running is not
 * lost (the drain loops until nobody asked again). Each slice runs as the automation account,
 * because the products' user services check the thread's acting user. {@link #close} stops the
 * thread and waits for the slice in progress (slices are bounded by the engine).
 */
public final class BackgroundPump implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundPump.class);

  /** How long {@link #close} waits for a running slice. */
  static final long CLOSE_WAIT_SECONDS = 30;

  private final Seatwarden engine;
  private final ActingUser actingUser;
  private final LongSupplier clock;
  private final ExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile boolean closed;

  /** A pump with its own daemon thread named {@code seatwarden-drive}. */
  public BackgroundPump(Seatwarden engine, ActingUser actingUser, LongSupplier clock) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.actingUser = Objects.requireNonNull(actingUser, "actingUser");
    this.clock = Objects.requireNonNull(clock, "clock");
    ClassLoader pluginLoader = BackgroundPump.class.getClassLoader();
    this.executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "seatwarden-drive");
              thread.setDaemon(true);
              // Product code that resolves classes by context loader must see the plugin's.
              thread.setContextClassLoader(pluginLoader);
              return thread;
            });
  }

  /** Asks for a drain; returns at once. Ignored once closed. */
  public void wake() {
    if (closed) {
      return;
    }
    pending.set(true);
    if (running.compareAndSet(false, true)) {
      submit();
    }
  }

  /** Whether a drain is queued or running (tests and diagnostics). */
  public boolean busy() {
    return running.get();
  }

  private void submit() {
    try {
      executor.execute(this::drain);
    } catch (RejectedExecutionException shuttingDown) {
      running.set(false);
    }
  }

  private void drain() {
    try {
      while (!closed && pending.getAndSet(false)) {
        while (!closed && !Thread.currentThread().isInterrupted()) {
          boolean more = actingUser.call(() -> engine.drive(clock.getAsLong()));
          if (!more) {
            break;
          }
        }
      }
    } catch (EngineClosedException stopping) {
      // The plugin is being disabled.
    } catch (RuntimeException e) {
      // Left for the next wake-up (the scheduler job wakes the pump every few minutes).
      LOG.warn("Seatwarden background work stopped: {}", e.toString());
    } finally {
      running.set(false);
    }
    if (!closed && pending.get() && running.compareAndSet(false, true)) {
      submit();
    }
  }

  /** Stops the thread, waiting for the slice in progress; idempotent. */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("Seatwarden background thread did not stop within {} s", CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the thread has ended (after {@link #close}). */
  public boolean terminated() {
    return executor.isTerminated();
  }
}
