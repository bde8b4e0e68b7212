package io.seatwarden.bridge;

import java.util.Map;

/**
 * The loaded native library speaks another bridge version than these Java classes: a jar built
 * from mismatched parts, or a stale {@code seatwarden.native.path} override.
 */
public final class IncompatibleLibraryException extends BridgeException {
  private static final long serialVersionUID = 1L;

  private final int expected;
  private final int found;

  /** The Java side expects {@code expected}; the library reports {@code found}. */
  public IncompatibleLibraryException(int expected, int found) {
    super(
        "native library speaks bridge version "
            + found
            + ", these classes expect version "
            + expected,
        Map.of("expected", (long) expected, "found", (long) found));
    this.expected = expected;
    this.found = found;
  }

  /** The bridge version these Java classes speak. */
  public int expected() {
    return expected;
  }

  /** The bridge version the library reported. */
  public int found() {
    return found;
  }
}
