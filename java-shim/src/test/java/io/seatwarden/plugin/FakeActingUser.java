package io.seatwarden.plugin;

import io.seatwarden.product.ActingUser;
import io.seatwarden.product.NoActingUserException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** An {@link ActingUser} that tracks, per thread, whether a block runs as the automation account. */
public final class FakeActingUser implements ActingUser {

  private final ThreadLocal<Integer> depth = ThreadLocal.withInitial(() -> 0);
  public final AtomicInteger calls = new AtomicInteger();
  /** When set, no automation account is configured. */
  public volatile boolean unconfigured;

  @Override
  public <T> T call(Supplier<T> block) {
    if (unconfigured) {
      throw new NoActingUserException("no automation account is configured");
    }
    calls.incrementAndGet();
    depth.set(depth.get() + 1);
    try {
      return block.get();
    } finally {
      depth.set(depth.get() - 1);
    }
  }

  /** Whether this thread is acting as the automation account now. */
  public boolean active() {
    return depth.get() > 0;
  }
}
