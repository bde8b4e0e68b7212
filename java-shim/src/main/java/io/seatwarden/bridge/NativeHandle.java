package io.seatwarden.bridge;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * A native handle shared by many threads and closed once: an in-flight counter and a closed flag
 * (the scheme of uniffi's object runtime, as in {@link Engine}). Calls running when {@link
 * #close()} happens finish normally; later calls throw {@link EngineClosedException}; the native
 * object is released by whoever leaves last.
 */
final class NativeHandle {
  private final long handle;
  private final LongConsumer release;
  private final String what;
  /** 1 while open and idle, plus one per running call; 0 once released. */
  private final AtomicLong calls = new AtomicLong(1);

  private final AtomicBoolean closed = new AtomicBoolean(false);

  NativeHandle(long handle, LongConsumer release, String what) {
    this.handle = handle;
    this.release = release;
    this.what = what;
  }

  /** Runs {@code call} with the handle, guaranteeing the handle stays valid while it runs. */
  <T> T call(LongFunction<T> call) {
    long running;
    do {
      running = calls.get();
      if (running == 0 || closed.get()) {
        throw new EngineClosedException(what + " is closed");
      }
      if (running == Long.MAX_VALUE) {
        throw new IllegalStateException("too many concurrent calls");
      }
    } while (!calls.compareAndSet(running, running + 1));
    try {
      return call.apply(handle);
    } finally {
      if (calls.decrementAndGet() == 0) {
        release.accept(handle);
      }
    }
  }

  /** Closes: later calls throw; the native side is released once running calls return. */
  void close() {
    if (closed.compareAndSet(false, true) && calls.decrementAndGet() == 0) {
      release.accept(handle);
    }
  }

  boolean isClosed() {
    return closed.get();
  }

  long handle() {
    return handle;
  }
}
