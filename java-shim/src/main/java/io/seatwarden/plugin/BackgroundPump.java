package io.seatwarden.plugin;

import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.product.ActingUser;
import io.seatwarden.product.ThreadContext;
import java.util.ArrayList;
import java.util.List;
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
 * lost (the drain loops until nobody asked again). Each slice runs inside the product's {@link
 * ThreadContext} (Jira: {@code JiraThreadLocalUtil} preCall/postCall, because this is a thread the
 * plugin owns) and, within it, as the automation account, because the products' user services
 * check the thread's acting user. {@link #close} stops the
 * thread, waits for the slice in progress (slices are bounded by the engine) and then joins the
 * thread itself: an executor reports "terminated" from inside its last worker, a moment before
 * that thread has ended, so only a join proves no {@code seatwarden-drive} thread is left.
 */
public final class BackgroundPump implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BackgroundPump.class);

  /** How long {@link #close} waits for a running slice. */
  static final long CLOSE_WAIT_SECONDS = 30;

  private final Seatwarden engine;
  private final ActingUser actingUser;
  private final ThreadContext threadContext;
  private final LongSupplier clock;
  private final ExecutorService executor;
  private final AtomicBoolean pending = new AtomicBoolean();
  private final AtomicBoolean running = new AtomicBoolean();
  /** Every thread the executor made (one, unless an Error killed a worker); joined by close. */
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  /** A pump without product thread state (tests). */
  public BackgroundPump(Seatwarden engine, ActingUser actingUser, LongSupplier clock) {
    this(engine, actingUser, ThreadContext.NONE, clock);
  }

  /** A pump with its own daemon thread named {@code seatwarden-drive}. */
  public BackgroundPump(
      Seatwarden engine, ActingUser actingUser, ThreadContext threadContext, LongSupplier clock) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.actingUser = Objects.requireNonNull(actingUser, "actingUser");
    this.threadContext = Objects.requireNonNull(threadContext, "threadContext");
    this.clock = Objects.requireNonNull(clock, "clock");
    ClassLoader pluginLoader = BackgroundPump.class.getClassLoader();
    this.executor =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = new Thread(task, "seatwarden-drive");
              thread.setDaemon(true);
              // Product code that resolves classes by context loader must see the plugin's.
              thread.setContextClassLoader(pluginLoader);
              synchronized (threads) {
                threads.add(thread);
              }
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
          boolean more =
              threadContext.call(() -> actingUser.call(() -> engine.drive(clock.getAsLong())));
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

  /**
   * Stops the thread, waiting for the slice in progress and then for the thread itself to end;
   * idempotent.
   */
  @Override
  public void close() {
    closed = true;
    executor.shutdownNow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CLOSE_WAIT_SECONDS);
    try {
      if (!executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("Seatwarden background thread did not stop within {} s", CLOSE_WAIT_SECONDS);
        return;
      }
      for (Thread thread : threads()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        thread.join(Math.max(1, left));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether the thread has ended (after {@link #close}): the executor has terminated and every
   * thread it made is no longer alive.
   */
  public boolean terminated() {
    return executor.isTerminated() && threads().stream().noneMatch(Thread::isAlive);
  }

  /** The threads this pump has made (tests and diagnostics: this pump's own, no JVM-wide scan). */
  public List<Thread> threads() {
    synchronized (threads) {
      return List.copyOf(threads);
    }
  }
}
