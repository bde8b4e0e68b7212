package io.seatwarden.plugin;

import io.seatwarden.bridge.ApiRequest;
import io.seatwarden.bridge.ApiResponse;
import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.bridge.TickReport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongPredicate;

/** A scriptable {@link Seatwarden} that records every call (and whether the caller acted as admin). */
public final class FakeSeatwarden implements Seatwarden {

  /** Requests handled, in order. */
  public final List<ApiRequest> requests = new CopyOnWriteArrayList<>();
  /** Usernames passed to onLogin, in order. */
  public final List<String> logins = new CopyOnWriteArrayList<>();
  /** Ticks, by their {@code now}. */
  public final List<Long> ticks = new CopyOnWriteArrayList<>();
  /** Whether each call ran as the automation account (per {@link FakeActingUser}). */
  public final List<Boolean> asAdmin = new CopyOnWriteArrayList<>();
  public final AtomicInteger drives = new AtomicInteger();
  public final AtomicBoolean closed = new AtomicBoolean();

  public volatile Function<ApiRequest, ApiResponse> onHandle =
      r ->
          new ApiResponse(
              200, "application/json", List.of(), "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
  public volatile BiFunction<String, Long, LoginOutcome> onLoginAnswer =
      (user, now) -> new LoginOutcome(null, List.of(), List.of(), List.of());
  /** Answer of drive: true while more work is queued. */
  public volatile LongPredicate onDrive = now -> false;
  public volatile RuntimeException tickFailure;

  private final FakeActingUser acting;

  public FakeSeatwarden(FakeActingUser acting) {
    this.acting = acting;
  }

  private void enter() {
    if (closed.get()) {
      throw new EngineClosedException("the engine is closed");
    }
    asAdmin.add(acting != null && acting.active());
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    enter();
    requests.add(request);
    return onHandle.apply(request);
  }

  @Override
  public TickReport tick(long now) {
    enter();
    ticks.add(now);
    RuntimeException failure = tickFailure;
    if (failure != null) {
      throw failure;
    }
    return new TickReport(List.of(7L), List.of(), 0, 3, 1);
  }

  @Override
  public LoginOutcome onLogin(String username, long now) {
    enter();
    logins.add(username);
    return onLoginAnswer.apply(username, now);
  }

  @Override
  public boolean drive(long now) {
    enter();
    drives.incrementAndGet();
    return onDrive.test(now);
  }

  @Override
  public void close() {
    closed.set(true);
  }
}
