package io.seatwarden.plugin;

import io.seatwarden.bridge.ApiRequest;
import io.seatwarden.bridge.ApiResponse;
import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.LoginCheck;
import io.seatwarden.bridge.LoginCheckOutcome;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.NotFoundException;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.bridge.TickReport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
  /**
   * The login filter's calls to the engine, in order: "check alice", "began alice", "ended alice
   * VERIFIED", "login alice" (usernames lower-cased).
   */
  public final List<String> loginCalls = new CopyOnWriteArrayList<>();
  /** Password checks begun, by id: the username. */
  public final Map<Long, String> checks = new ConcurrentHashMap<>();
  /** Password checks ended, by id: the outcome and when. */
  public final Map<Long, Object[]> ended = new ConcurrentHashMap<>();
  /** Like the engine's back-off: how long after a wrong password the check says "back off". */
  public static final long BACKOFF_MILLIS = 5 * 60 * 1000L;
  public final AtomicInteger drives = new AtomicInteger();
  public final AtomicBoolean closed = new AtomicBoolean();

  public volatile Function<ApiRequest, ApiResponse> onHandle =
      r ->
          new ApiResponse(
              200, "application/json", List.of(), "{\"ok\":true}".getBytes(StandardCharsets.UTF_8));
  /** Anonymous requests handled, in order. */
  public final List<io.seatwarden.bridge.PublicRequest> publicRequests =
      new CopyOnWriteArrayList<>();

  public volatile Function<io.seatwarden.bridge.PublicRequest, ApiResponse> onHandlePublic =
      r ->
          new ApiResponse(
              200, "text/html; charset=utf-8", List.of(), "<p>ok</p>".getBytes(StandardCharsets.UTF_8));
  public volatile BiFunction<String, Long, LoginOutcome> onLoginAnswer =
      (user, now) -> new LoginOutcome(null, List.of(), List.of(), List.of());
  /**
   * Answer of loginCheck; by default "verify", unless the user's latest check ended NOT_VERIFIED
   * less than {@link #BACKOFF_MILLIS} ago (then "back off"), as the engine's journal does.
   */
  public volatile BiFunction<String, Long, LoginCheck> onLoginCheck = this::backOffOrVerify;
  /** The facts the filter reported with its latest loginCheck. */
  public volatile LoginCheck.AccountState lastState;

  public volatile LoginCheck.InactiveRefusal lastRefusal;
  /** Like the engine's per-directory probe opt-in (off by default, as in the engine). */
  public volatile boolean probeOptIn;
  /** Usernames passed to loginCompleted, in order. */
  public final List<String> completed = new CopyOnWriteArrayList<>();
  /** The verifications the filter began checks with, in order. */
  public final List<LoginCheck.Verification> verifications = new CopyOnWriteArrayList<>();
  /** When set, loginCheckBegan throws it. */
  public volatile RuntimeException beganFailure;
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
  public ApiResponse handlePublic(io.seatwarden.bridge.PublicRequest request) {
    enter();
    publicRequests.add(request);
    return onHandlePublic.apply(request);
  }

  @Override
  public TickReport tick(long now) {
    enter();
    ticks.add(now);
    RuntimeException failure = tickFailure;
    if (failure != null) {
      throw failure;
    }
    return new TickReport(List.of(7L), List.of(), 0, 3, 1, 0);
  }

  @Override
  public LoginOutcome onLogin(String username, long now) {
    enter();
    logins.add(username);
    loginCalls.add("login " + username.toLowerCase(Locale.ROOT));
    return onLoginAnswer.apply(username, now);
  }

  @Override
  public LoginOutcome loginCompleted(String username, long now) {
    enter();
    completed.add(username);
    loginCalls.add("completed " + username.toLowerCase(Locale.ROOT));
    return onLoginAnswer.apply(username, now);
  }

  @Override
  public LoginCheck loginCheck(
      String username,
      LoginCheck.AccountState state,
      LoginCheck.InactiveRefusal refusal,
      long now) {
    enter();
    lastState = state;
    lastRefusal = refusal;
    loginCalls.add("check " + username.toLowerCase(Locale.ROOT));
    LoginCheck answer = onLoginCheck.apply(username, now);
    if (!answer.verify()) {
      return answer;
    }
    // The engine's choice of verification (crates/seatwarden-service/src/service/probe.rs).
    LoginCheck.Verification how;
    if (state == LoginCheck.AccountState.UNLICENSED) {
      how = LoginCheck.Verification.LICENCE;
    } else if (refusal == LoginCheck.InactiveRefusal.AFTER_CREDENTIAL) {
      how = LoginCheck.Verification.PROOF;
    } else if (probeOptIn) {
      how = LoginCheck.Verification.PROBE;
    } else {
      return new LoginCheck(
          answer.user(), LoginCheck.Verdict.NOT_NEEDED, "no_safe_verification", 0, null);
    }
    return new LoginCheck(answer.user(), LoginCheck.Verdict.VERIFY, null, 0, how);
  }

  @Override
  public long loginCheckBegan(String username, LoginCheck.Verification verification, long now) {
    enter();
    loginCalls.add("began " + username.toLowerCase(Locale.ROOT));
    verifications.add(verification);
    RuntimeException failure = beganFailure;
    if (failure != null) {
      throw failure;
    }
    long id = checks.size() + 1L;
    checks.put(id, username.toLowerCase(Locale.ROOT));
    return id;
  }

  @Override
  public LoginOutcome loginVerified(long check, long now) {
    enter();
    String user = checks.get(check);
    Object[] end = ended.get(check);
    if (user == null || end == null || end[0] != LoginCheckOutcome.VERIFIED) {
      throw new io.seatwarden.bridge.ConflictException(
          "password check `" + check + "` did not end verified", Map.of());
    }
    logins.add(user);
    loginCalls.add("verified " + user);
    return onLoginAnswer.apply(user, now);
  }

  @Override
  public void loginCheckEnded(long check, LoginCheckOutcome outcome, long now) {
    enter();
    String user = checks.get(check);
    if (user == null) {
      throw new NotFoundException("password check `" + check + "` not found", Map.of());
    }
    loginCalls.add("ended " + user + " " + outcome);
    ended.put(check, new Object[] {outcome, now});
  }

  private LoginCheck backOffOrVerify(String username, long now) {
    String user = username.toLowerCase(Locale.ROOT);
    long latest = -1;
    for (Map.Entry<Long, Object[]> e : ended.entrySet()) {
      if (user.equals(checks.get(e.getKey())) && e.getKey() > latest) {
        latest = e.getKey();
      }
    }
    if (latest > 0) {
      Object[] end = ended.get(latest);
      long until = (Long) end[1] + BACKOFF_MILLIS;
      if (end[0] == LoginCheckOutcome.NOT_VERIFIED && now < until) {
        return new LoginCheck("key-" + user, LoginCheck.Verdict.BACK_OFF, null, until, null);
      }
    }
    return new LoginCheck(
        "key-" + user, LoginCheck.Verdict.VERIFY, null, 0, LoginCheck.Verification.PROBE);
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
