package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackgroundPumpTest {

  private final FakeActingUser acting = new FakeActingUser();
  private final FakeSeatwarden engine = new FakeSeatwarden(acting);

  @Test
  void drivesWhileTheEngineHasWorkAsTheAutomationAccount() throws Exception {
    AtomicInteger left = new AtomicInteger(5);
    CountDownLatch done = new CountDownLatch(1);
    engine.onDrive =
        now -> {
          boolean more = left.decrementAndGet() > 0;
          if (!more) {
            done.countDown();
          }
          return more;
        };
    try (BackgroundPump pump = new BackgroundPump(engine, acting, () -> 5L)) {
      pump.wake();
      assertTrue(done.await(120, TimeUnit.SECONDS));
      awaitIdle(pump);
      assertEquals(5, engine.drives.get());
      assertTrue(engine.asAdmin.stream().allMatch(b -> b));
    }
  }

  @Test
  void aWakeUpDuringADrainIsNotLost() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    engine.onDrive =
        now -> {
          if (calls.incrementAndGet() == 1) {
            inFirst.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          return false;
        };
    try (BackgroundPump pump = new BackgroundPump(engine, acting, () -> 5L)) {
      pump.wake();
      assertTrue(inFirst.await(120, TimeUnit.SECONDS));
      pump.wake(); // queued while the first drain is inside drive()
      release.countDown();
      awaitIdle(pump);
      assertEquals(2, calls.get());
    }
  }

  @Test
  void aFailureStopsTheDrainAndTheNextWakeUpRetries() throws Exception {
    acting.unconfigured = true;
    try (BackgroundPump pump = new BackgroundPump(engine, acting, () -> 5L)) {
      pump.wake();
      awaitIdle(pump);
      assertEquals(0, engine.drives.get());
      acting.unconfigured = false;
      pump.wake();
      awaitIdle(pump);
      assertEquals(1, engine.drives.get());
    }
  }

  @Test
  void closeStopsTheThreadAndLaterWakeUpsDoNothing() throws Exception {
    BackgroundPump pump = new BackgroundPump(engine, acting, () -> 5L);
    pump.wake();
    awaitIdle(pump);
    pump.close();
    assertTrue(pump.terminated());
    pump.wake();
    assertFalse(pump.busy());
    assertEquals(1, engine.drives.get());
    pump.close(); // idempotent
    // The pump's own thread, joined by close (never a scan of every thread in the JVM).
    assertEquals(1, pump.threads().size());
    assertEquals("seatwarden-drive", pump.threads().get(0).getName());
    assertFalse(pump.threads().get(0).isAlive());
  }

  /** Waits on the pump's state, with a generous deadline for a loaded machine. */
  static void awaitIdle(BackgroundPump pump) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (pump.busy() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertFalse(pump.busy(), "pump still busy");
  }
}
