package io.seatwarden.bridge;

import java.util.Map;
import java.util.Objects;

/**
 * Builds an {@link Engine} from a snapshot sent page by page, so a large directory never has to
 * exist as one {@code byte[]}.
 *
 * <p>Start with {@code {"version":1,"header":{...}}} (the snapshot header of {@code
 * docs/snapshot.md}), add pages {@code {"users":[...]}} in order, then {@link #finish()}. A page
 * that fails validation throws {@link BadRequestException} and leaves the build as it was; a
 * failing {@link #finish()} ends the build without an engine. {@link #close()} abandons an
 * unfinished build. Methods are synchronized: one build is fed by one thread at a time.
 */
public final class EngineBuilder implements AutoCloseable {
  private final long handle;
  private boolean done;

  private EngineBuilder(long handle) {
    this.handle = handle;
  }

  /**
   * Validates the header and starts a build.
   *
   * @throws BadRequestException if the header is invalid
   * @throws UnsupportedVersionException if the request's version is not spoken
   */
  public static EngineBuilder begin(byte[] beginRequest) {
    Objects.requireNonNull(beginRequest, "beginRequest");
    NativeLoader.load();
    Map<String, Object> begun = Envelope.unwrapObject(Native.ingestBegin(beginRequest));
    Object handle = begun.get("handle");
    if (!(handle instanceof Long)) {
      throw new BridgeException("malformed response from the native library: no `handle`");
    }
    return new EngineBuilder((Long) handle);
  }

  /**
   * Adds the next page and returns how many users the build holds now.
   *
   * @throws BadRequestException if a user of the page is invalid (details name its key, page and
   *     index); nothing of the page is kept
   * @throws EngineClosedException if the build is finished or closed
   */
  public synchronized int addPage(byte[] pageJson) {
    Objects.requireNonNull(pageJson, "pageJson");
    ensureRunning();
    return LibraryInfo.intField(
        Envelope.unwrapObject(Native.ingestPage(handle, pageJson)), "users");
  }

  /**
   * Runs the checks across all users (duplicate keys and usernames, sysadmins) and returns the
   * engine. The build is over afterwards, whether or not it succeeded.
   *
   * @throws BadRequestException if the snapshot is invalid
   */
  public synchronized Engine finish() {
    ensureRunning();
    done = true;
    return Engine.fromOpened(Envelope.unwrapObject(Native.ingestFinish(handle)));
  }

  /** Abandons the build if it is not finished; idempotent. */
  @Override
  public synchronized void close() {
    if (!done) {
      done = true;
      Native.ingestAbort(handle);
    }
  }

  /** The native handle, for tests. */
  long handle() {
    return handle;
  }

  private void ensureRunning() {
    if (done) {
      throw new EngineClosedException("snapshot build is finished or closed");
    }
  }
}
