package io.seatwarden.bridge;

/**
 * The JNI entry points of the native library: the only class with {@code native} methods.
 *
 * <p>Every method takes and returns UTF-8 JSON in {@code byte[]}; responses are envelopes that
 * {@link Envelope#unwrap} turns into a result or an exception. Callers must have loaded the library
 * with {@link NativeLoader#load()} first. Rust implements these in {@code
 * crates/seatwarden-jni/src/entry.rs}.
 */
final class Native {
  private Native() {}

  /** The envelope of {@code {bridgeVersion, libraryVersion, snapshotVersion, testing}}. */
  static native byte[] version();

  /** Builds an engine from a snapshot file; the envelope of {@code {handle, users, memoryBytes}}. */
  static native byte[] open(byte[] snapshot);

  /** One page of the Users tab for a versioned query request. */
  static native byte[] query(long handle, byte[] request);

  /**
   * Forgets a handle; true if it was open. The engine is dropped once calls still running on it
   * return.
   */
  static native boolean close(long handle);

  /** Starts a paged build from {@code {"version":1,"header":{...}}}; the envelope of {@code {handle}}. */
  static native byte[] ingestBegin(byte[] request);

  /** Adds a page {@code {"users":[...]}}; the envelope of {@code {users, pages}} so far. */
  static native byte[] ingestPage(long builder, byte[] page);

  /** Finishes a build; the envelope of {@code {handle, users, memoryBytes}}, as {@link #open}. */
  static native byte[] ingestFinish(long builder);

  /** Drops a build; true if it was running. */
  static native boolean ingestAbort(long builder);

  /**
   * Opens a service over a {@link HostBridge} and a {@link StoreBridge} (held by the library until
   * {@link #serviceClose}) with options {@code {"version":1,"instanceName",...}}; the envelope of
   * {@code {handle}}. Reads the stored configuration through the store before answering.
   */
  static native byte[] serviceOpen(byte[] options, Object host, Object store);

  /** One admin API request; the envelope of {@code {status, contentType, headers, body|bodyHex}}. */
  static native byte[] serviceHandle(long handle, byte[] request);

  /**
   * One admin API request whose export body goes to {@code sink} (a {@link StreamBridge}) in
   * chunks copied into {@code buffer}; the envelope of {@code {"outcome":"whole","response"}},
   * {@code {"outcome":"sent","bytes"}} or {@code {"outcome":"broken","bytes","reason"}}.
   */
  static native byte[] serviceStream(long handle, byte[] request, Object sink, byte[] buffer);

  /**
   * One anonymous request (the "I still need access" page or a service-desk webhook call) {@code
   * {"version":1,"now","method","path","query","headers","body"|"bodyHex","clientIp"}}; the
   * envelope of the response, shaped as {@link #serviceHandle}'s.
   */
  static native byte[] servicePublic(long handle, byte[] request);

  /** The scheduler tick at {@code now}; the envelope of the tick report. */
  static native byte[] serviceTick(long handle, long now);

  /** A login {@code {"version":1,"username":...,"now":...}}; the envelope of the login outcome. */
  static native byte[] serviceLogin(long handle, byte[] request);

  /**
   * The login hook's fast path: {@code username} as raw UTF-8; answers {@code [0] + the user's key}
   * or {@code [1]} (unknown user) when the login did nothing, else the envelope of the login
   * outcome, as {@link #serviceLogin}'s.
   */
  static native byte[] serviceLoginFast(long handle, byte[] username, long now);

  /**
   * Before the login filter checks a password: {@code {"version":1,"username":...,"now":...}}; the
   * envelope of {@code {user?, verdict, why?, skipped?, actions?, until?}}.
   */
  static native byte[] serviceLoginCheck(long handle, byte[] request);

  /**
   * A password check begins: {@code {"version":1,"username":...,"now":...}}; the envelope of {@code
   * {check}}.
   */
  static native byte[] serviceLoginCheckBegan(long handle, byte[] request);

  /**
   * A password check ended: {@code {"version":1,"check":...,"outcome":...,"now":...}}; the envelope
   * of {@code {check}}.
   */
  static native byte[] serviceLoginCheckEnded(long handle, byte[] request);

  /**
   * A check ended verified: {@code {"version":1,"check":...,"now":...}}; the envelope of the login
   * outcome of the provisional grant.
   */
  static native byte[] serviceLoginVerified(long handle, byte[] request);

  /** One slice of background work at {@code now}; the envelope of {@code {more}}. */
  static native byte[] serviceDrive(long handle, long now);

  /**
   * Forgets a service handle; true if it was open. The service is dropped once calls still running
   * on it return.
   */
  static native boolean serviceClose(long handle);
}
