package io.seatwarden.jira;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.jira.util.thread.JiraThreadLocalUtil;
import io.seatwarden.plugin.BackgroundPump;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.product.ThreadContext;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.log4j.Logger;
import org.junit.jupiter.api.Test;

/**
 * The plugin's own thread runs Jira services only inside JiraThreadLocalUtil's preCall/postCall,
 * against a fake Jira whose services refuse to run on a thread that was not set up.
 */
class JiraThreadContextTest {

  /** Jira's component: marks the thread prepared between preCall and postCall. */
  static final class FakeThreadLocalUtil implements JiraThreadLocalUtil {
    final ThreadLocal<Boolean> prepared = ThreadLocal.withInitial(() -> false);
    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public void preCall() {
      calls.add("preCall");
      prepared.set(true);
    }

    @Override
    public void postCall(Logger log) {
      calls.add("postCall");
      assertTrue(log != null, "postCall needs a log for an open transaction");
      prepared.set(false);
    }

    /** A Jira service: refuses work on a thread without Jira's thread-local state. */
    String service() {
      if (!prepared.get()) {
        throw new IllegalStateException("Jira service called on a thread JiraThreadLocalUtil did not set up");
      }
      return "ok";
    }
  }

  private final FakeThreadLocalUtil jira = new FakeThreadLocalUtil();

  @Test
  void eachSliceOnTheDriveThreadRunsBetweenPreCallAndPostCall() throws Exception {
    FakeActingUser acting = new FakeActingUser();
    FakeSeatwarden engine = new FakeSeatwarden(acting);
    List<String> seen = new CopyOnWriteArrayList<>();
    engine.onDrive =
        now -> {
          seen.add(jira.service() + (acting.active() ? " as automation" : " anonymous"));
          return seen.size() < 3;
        };
    try (BackgroundPump pump =
        new BackgroundPump(engine, acting, new JiraThreadContext(jira), () -> 5L)) {
      pump.wake();
      awaitIdle(pump);
    }
    assertEquals(List.of("ok as automation", "ok as automation", "ok as automation"), seen);
    // One preCall/postCall pair per slice: nothing cached survives from one slice to the next.
    assertEquals(
        List.of("preCall", "postCall", "preCall", "postCall", "preCall", "postCall"), jira.calls);
  }

  @Test
  void withoutTheContextTheFakeRefusesSoTheTestCanFail() throws Exception {
    FakeActingUser acting = new FakeActingUser();
    FakeSeatwarden engine = new FakeSeatwarden(acting);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    engine.onDrive =
        now -> {
          try {
            jira.service();
          } catch (IllegalStateException e) {
            failures.add(e);
          }
          return false;
        };
    try (BackgroundPump pump = new BackgroundPump(engine, acting, ThreadContext.NONE, () -> 5L)) {
      pump.wake();
      awaitIdle(pump);
    }
    assertEquals(1, failures.size());
    assertTrue(jira.calls.isEmpty());
  }

  @Test
  void postCallRunsWhenTheSliceThrows() {
    JiraThreadContext context = new JiraThreadContext(jira);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            context.call(
                () -> {
                  throw new IllegalArgumentException("slice failed");
                }));
    assertEquals(List.of("preCall", "postCall"), jira.calls);
    assertFalse(jira.prepared.get());
  }

  private static void awaitIdle(BackgroundPump pump) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (pump.busy() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertFalse(pump.busy(), "pump still busy");
  }
}
