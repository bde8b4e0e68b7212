package io.seatwarden.bridge;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * One directory opened in the native engine: the public facade of the bridge.
 *
 * <p>Thread-safe: any number of threads may call {@link #query} at once. {@link #close()} may race
 * those calls: calls already running finish normally, later calls throw {@link
 * EngineClosedException}, and the native engine is released when the last running call returns
 * (an in-flight counter and a closed flag, the scheme of uniffi's object runtime).
 *
 * <p>Open one from a whole snapshot file with {@link #open}, or page by page with {@link
 * EngineBuilder} (what a host with many users should do).
 *
 * <p>Requests and results are UTF-8 JSON; their schemas are in {@code docs/jni.md} and {@code
 * docs/snapshot.md}. Failures are unchecked {@link SeatwardenException}s, one subclass per {@link
 * ErrorKind}.
 */
public final class Engine implements AutoCloseable {
  private final long handle;
  private final int users;
  private final long memoryBytes;
  /** 1 while open and idle, plus one per running call; 0 once released. */
  private final AtomicLong calls = new AtomicLong(1);

  private final AtomicBoolean closed = new AtomicBoolean(false);

  private Engine(long handle, int users, long memoryBytes) {
    this.handle = handle;
    this.users = users;
    this.memoryBytes = memoryBytes;
  }

  /** Loads the native library (once per classloader) and describes it. */
  public static LibraryInfo libraryInfo() {
    return NativeLoader.load();
  }

  /**
   * Builds an engine from a whole snapshot file ({@code docs/snapshot.md}).
   *
   * @throws BadRequestException if the snapshot is invalid (the details name the user key, page
   *     and field)
   * @throws UnsupportedVersionException if the snapshot's version is not one the library reads
   */
  public static Engine open(byte[] snapshotJson) {
    Objects.requireNonNull(snapshotJson, "snapshotJson");
    NativeLoader.load();
    return fromOpened(Envelope.unwrapObject(Native.open(snapshotJson)));
  }

  /** The engine an {@code open}-shaped result ({@code {handle, users, memoryBytes}}) describes. */
  static Engine fromOpened(Map<String, Object> opened) {
    Object handle = opened.get("handle");
    if (!(handle instanceof Long)) {
      throw new BridgeException("malformed response from the native library: no `handle`");
    }
    return new Engine(
        (Long) handle,
        LibraryInfo.intField(opened, "users"),
        opened.get("memoryBytes") instanceof Long ? (Long) opened.get("memoryBytes") : -1L);
  }

  /**
   * One page of the Users tab: {@code {"version":1,"now":<UTC ms>,"query":{...}}} in, the page as
   * JSON out (see {@code docs/jni.md}).
   *
   * @throws BadRequestException if the request is malformed or names an unknown group or
   *     directory
   * @throws EngineClosedException if this engine is closed
   */
  public byte[] query(byte[] requestJson) {
    Objects.requireNonNull(requestJson, "requestJson");
    return Envelope.unwrap(call(h -> Native.query(h, requestJson)));
  }

  /** How many users the engine holds. */
  public int userCount() {
    return users;
  }

  /** Heap bytes the native index holds, as the library counts them. */
  public long memoryBytes() {
    return memoryBytes;
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Closes the engine: later calls throw {@link EngineClosedException}; the native memory is freed
   * once calls still running return. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && calls.decrementAndGet() == 0) {
      release();
    }
  }

  /** Runs {@code call} with the handle, guaranteeing the handle stays valid while it runs. */
  byte[] call(LongFunction<byte[]> call) {
    long running;
    do {
      running = calls.get();
      if (running == 0 || closed.get()) {
        throw new EngineClosedException("engine is closed");
      }
      if (running == Long.MAX_VALUE) {
        throw new IllegalStateException("too many concurrent calls");
      }
    } while (!calls.compareAndSet(running, running + 1));
    try {
      return call.apply(handle);
    } finally {
      if (calls.decrementAndGet() == 0) {
        release();
      }
    }
  }

  /** The native handle, for tests. */
  long handle() {
    return handle;
  }

  private void release() {
    Native.close(handle);
  }
}
