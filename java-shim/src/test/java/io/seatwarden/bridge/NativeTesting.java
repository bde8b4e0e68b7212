package io.seatwarden.bridge;

/**
 * The test-only entry points of a library built with the cargo feature {@code testing} ({@code
 * crates/seatwarden-jni/src/testing.rs}). Lives in the test sources so the shipped {@link Native}
 * declares nothing the shipped library lacks.
 */
final class NativeTesting {
  private NativeTesting() {}

  /** Something Rust calls back into: a method on an object handed in, never a class by name. */
  interface Callback {
    byte[] call(byte[] payload);
  }

  /** Panics inside the envelope shield, with the request in the panic message. */
  static native byte[] testPanic(byte[] request);

  /** Panics outside the shield: the outer guard throws {@link InternalException}. */
  static native byte[] testPanicUnshielded();

  /** {@code {"version":1,"kind":"<wire name>"}} in, a failure envelope of that kind out. */
  static native byte[] testError(byte[] request);

  /** Calls {@code target.call(payload)} and returns its answer as the result. */
  static native byte[] testCallback(Object target, byte[] payload);

  /**
   * Calls {@code target.call} {@code times} times, each answer being the next payload; returns the
   * last answer as the result.
   */
  static native byte[] testCallbackRepeat(Object target, byte[] payload, int times);

  /** Holds the engine for {@code millis} ms, then returns {@code {"users": n}}. */
  static native byte[] testHold(long handle, long millis);

  /** How many engines the library holds open. */
  static native long testOpenHandles();

  /**
   * Runs the service's Store conformance suite over the record store built on these {@link
   * StoreBridge}s (each empty; one per check); {@code {"passed":true}} or {@code
   * {"passed":false,"failure":...}}.
   */
  static native byte[] testStoreConformance(Object[] stores);

  /** Runs the record-backend conformance suite of {@code seatwarden-store-records}, likewise. */
  static native byte[] testBackendConformance(Object[] stores);

  /** What the engine makes of one golden scenario file, in the files' line formats. */
  static native byte[] testGolden(byte[] scenario);

  /** How many services the library holds open. */
  static native long testOpenServices();

  /** Panics inside a call on an open service. */
  static native byte[] testServicePanic(long handle);
}
