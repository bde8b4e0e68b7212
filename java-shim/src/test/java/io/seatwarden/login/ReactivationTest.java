package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.LoginCheck;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Operation;
import io.seatwarden.login.LoginAccounts.State;
import io.seatwarden.login.Reactivation.Result;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.store.FakeClusterLockService;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReactivationTest {

  private final FakeActingUser acting = new FakeActingUser();
  private final FakeSeatwarden engine = new FakeSeatwarden(acting);
  private final FakeAccounts accounts = new FakeAccounts(acting);
  private final FakeClusterLockService locks = new FakeClusterLockService();
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
  private final Reactivation reactivation =
      new Reactivation(engine, accounts, acting, locks, now::get);

  @BeforeEach
  void engineReactivatesThroughTheHost() {
    // The engine's reactivate-on-login policy: it activates the account (through the host).
    engine.onLoginAnswer =
        (user, at) -> {
          acting.run(() -> accounts.setActive(user, true));
          Operation activate = new Operation.Activate("key-" + user);
          return new LoginOutcome("key-" + user, List.of(activate), List.of(), List.of());
        };
  }

  @Test
  void rightPasswordOfADeactivatedUserIsVerifiedThenTheEngineReactivates() {
    accounts.user("alice", "s3cret", State.INACTIVE);
    assertEquals(Result.REACTIVATED, reactivation.attempt("Alice", "s3cret"));
    assertEquals(
        List.of("activate alice", "verify alice", "deactivate alice", "activate alice"), accounts.log);
    assertEquals(List.of("Alice"), engine.logins);
    assertEquals(
        List.of("check alice", "check alice", "began alice", "ended alice VERIFIED", "login alice"),
        engine.loginCalls);
    assertEquals(
        List.of(true, true, true, true, true),
        engine.asAdmin,
        "the engine was asked as the automation account");
    assertEquals(State.ACTIVE, accounts.stateOf("alice"));
    assertFalse(acting.active(), "the acting user is restored after the attempt");
    assertFalse(locks.isLocked("io.seatwarden.login.alice"));
    assertEquals(List.of("io.seatwarden.login.alice"), locks.acquired);
  }

  @Test
  void wrongPasswordIsRefusedAndChangesNothing() {
    accounts.user("bob", "right", State.INACTIVE);
    assertEquals(Result.NOT_VERIFIED, reactivation.attempt("bob", "wrong"));
    assertEquals(State.INACTIVE, accounts.stateOf("bob"));
    assertEquals(List.of(), engine.logins, "the login policies never hear of a wrong password");
    assertEquals(
        List.of("check bob", "check bob", "began bob", "ended bob NOT_VERIFIED"),
        engine.loginCalls,
        "the engine journals the failed check (its back-off holds on every node)");
    // The account was active only around the one password check, and is inactive again.
    assertEquals(List.of("activate bob", "verify bob", "deactivate bob"), accounts.log);
    assertFalse(acting.active());
  }

  @Test
  void afterAWrongPasswordTheUserIsNotProbedAgainUntilTheBackOffEnds() {
    accounts.user("bob", "right", State.INACTIVE);
    reactivation.attempt("bob", "wrong");
    accounts.log.clear();
    assertEquals(Result.SKIPPED, reactivation.attempt("BOB", "right"));
    assertEquals(List.of(), accounts.log);
    assertEquals(List.of(), locks.acquired.subList(1, locks.acquired.size()), "no lock either");
    now.addAndGet(FakeSeatwarden.BACKOFF_MILLIS);
    assertEquals(Result.REACTIVATED, reactivation.attempt("bob", "right"));
  }

  @Test
  void anActiveUserPassesStraightThrough() {
    accounts.user("carol", "pw", State.ACTIVE);
    assertEquals(Result.PASSED_THROUGH, reactivation.attempt("carol", "pw"));
    assertEquals(Result.PASSED_THROUGH, reactivation.attempt("nobody", "pw"));
    assertEquals(List.of(), accounts.log, "no password check, no change");
    assertEquals(List.of(), engine.logins);
    assertEquals(List.of(), locks.acquired);
    assertEquals(0, acting.calls.get());
  }

  @Test
  void theEngineMayRefuseAVerifiedUserAndTheAccountStaysDeactivated() {
    accounts.user("dave", "pw", State.INACTIVE);
    engine.onLoginAnswer = (user, at) -> new LoginOutcome("key-dave", List.of(), List.of(), List.of());
    assertEquals(Result.NOT_REACTIVATED, reactivation.attempt("dave", "pw"));
    assertEquals(State.INACTIVE, accounts.stateOf("dave"));
  }

  @Test
  void unlicensedUserIsVerifiedWithoutAnyStateChange() {
    accounts.user("erin", "pw", State.UNLICENSED);
    engine.onLoginAnswer =
        (user, at) ->
            new LoginOutcome(
                "key-erin", List.of(new Operation.AddToGroup("key-erin", "jira-software-users")), List.of(), List.of());
    assertEquals(Result.REACTIVATED, reactivation.attempt("erin", "pw"));
    assertEquals(List.of("verify erin"), accounts.log);
    assertEquals(
        List.of("check erin", "check erin", "began erin", "ended erin VERIFIED", "login erin"),
        engine.loginCalls,
        "a licence check is journaled too (nothing to undo), for the back-off");
    accounts.log.clear();
    assertEquals(Result.NOT_VERIFIED, reactivation.attempt("erin", "wrong"));
    assertEquals(List.of("verify erin"), accounts.log);
  }

  @Test
  void aCaptchaDueMeansNoPasswordCheck() {
    accounts.user("frank", "pw", State.INACTIVE);
    accounts.elevated.add("frank");
    assertEquals(Result.SKIPPED, reactivation.attempt("frank", "pw"));
    assertEquals(List.of(), accounts.log);
  }

  @Test
  void anotherNodeProbingTheSameUserMeansSkip() throws Exception {
    accounts.user("gina", "pw", State.INACTIVE);
    AutoCloseable held = locks.holdElsewhere("io.seatwarden.login.gina");
    try {
      assertEquals(Result.SKIPPED, reactivation.attempt("gina", "pw"));
    } finally {
      held.close();
    }
    assertEquals(List.of(), accounts.log);
    assertEquals(State.INACTIVE, accounts.stateOf("gina"));
  }

  @Test
  void aRefusedActivationChangesNothing() {
    accounts.user("hank", "pw", State.INACTIVE);
    accounts.refuseActivation = true;
    assertEquals(Result.FAILED, reactivation.attempt("hank", "pw"));
    assertEquals(State.INACTIVE, accounts.stateOf("hank"));
    assertEquals(List.of(), engine.logins);
    assertEquals(
        List.of("check hank", "check hank", "began hank", "ended hank FAILED"),
        engine.loginCalls,
        "the check is closed: nothing was changed");
  }

  @Test
  void noProbeWhenNoLoginPolicyWouldGiveAccessBack() {
    accounts.user("kim", "pw", State.INACTIVE);
    engine.onLoginCheck =
        (user, at) -> new LoginCheck("key-kim", LoginCheck.Verdict.NOT_NEEDED, "nothing_to_do", 0);
    assertEquals(Result.NOT_NEEDED, reactivation.attempt("kim", "pw"));
    assertEquals(List.of(), accounts.log, "no activation, no password check");
    assertEquals(List.of("check kim"), engine.loginCalls);
    assertEquals(List.of(), locks.acquired);
    assertEquals(State.INACTIVE, accounts.stateOf("kim"));
  }

  @Test
  void theEnginesBackOffMeansNoProbe() {
    accounts.user("lee", "pw", State.INACTIVE);
    engine.onLoginCheck =
        (user, at) -> new LoginCheck("key-lee", LoginCheck.Verdict.BACK_OFF, null, at + 1000);
    assertEquals(Result.SKIPPED, reactivation.attempt("lee", "pw"));
    assertEquals(List.of(), accounts.log);
    assertEquals(List.of("check lee"), engine.loginCalls);
    assertEquals(List.of(), locks.acquired);
  }

  @Test
  void aBackOffThatBeganWhileWaitingForTheLockIsHonoured() {
    accounts.user("lou", "pw", State.INACTIVE);
    AtomicInteger asked = new AtomicInteger();
    // First answer before the lock, second under it: meanwhile another request's guess failed.
    engine.onLoginCheck =
        (user, at) ->
            asked.getAndIncrement() == 0
                ? new LoginCheck("key-lou", LoginCheck.Verdict.VERIFY, null, 0)
                : new LoginCheck("key-lou", LoginCheck.Verdict.BACK_OFF, null, at + 1000);
    assertEquals(Result.SKIPPED, reactivation.attempt("lou", "guess"));
    assertEquals(List.of(), accounts.log, "no probe");
    assertEquals(List.of("check lou", "check lou"), engine.loginCalls);
    assertFalse(locks.isLocked("io.seatwarden.login.lou"));
  }

  @Test
  void theCheckIsJournaledAroundTheProbeInThisOrder() {
    // One log for the engine's calls and the account changes, to see them interleave.
    FakeAccounts shared = new FakeAccounts(acting, engine.loginCalls);
    shared.user("mo", "pw", State.INACTIVE);
    Reactivation r = new Reactivation(engine, shared, acting, locks, now::get);
    engine.onLoginAnswer =
        (user, at) -> {
          acting.run(() -> shared.setActive(user, true));
          return new LoginOutcome(
              "key-mo", List.of(new Operation.Activate("key-mo")), List.of(), List.of());
        };
    assertEquals(Result.REACTIVATED, r.attempt("mo", "pw"));
    assertEquals(
        List.of(
            "check mo",
            "check mo",
            "began mo",
            "activate mo",
            "verify mo",
            "deactivate mo",
            "ended mo VERIFIED",
            "login mo",
            "activate mo"),
        engine.loginCalls);
  }

  @Test
  void theCheckEndsAlsoWhenThePasswordCheckThrows() {
    accounts.user("nat", "pw", State.INACTIVE);
    accounts.verifyFailure = new IllegalStateException("directory down");
    assertEquals(Result.FAILED, reactivation.attempt("nat", "pw"));
    assertEquals(State.INACTIVE, accounts.stateOf("nat"), "deactivated again");
    assertEquals(
        List.of("check nat", "check nat", "began nat", "ended nat FAILED"),
        engine.loginCalls,
        "ended after the account was put back, no login");
    assertEquals(List.of("activate nat", "verify nat", "deactivate nat"), accounts.log);
  }

  @Test
  void aCheckWhoseAccountCouldNotBePutBackIsLeftOpenForTheRepair() {
    accounts.user("oz", "pw", State.INACTIVE);
    accounts.failDeactivations = 3;
    assertEquals(Result.FAILED, reactivation.attempt("oz", "bad"));
    assertEquals(State.ACTIVE, accounts.stateOf("oz"), "the tick's repair deactivates it");
    assertEquals(List.of("check oz", "check oz", "began oz"), engine.loginCalls, "never ended");
    assertFalse(acting.active());
    assertFalse(locks.isLocked("io.seatwarden.login.oz"));
  }

  @Test
  void aJournalThatCannotBeginChangesNothing() {
    accounts.user("pat", "pw", State.INACTIVE);
    engine.beganFailure = new IllegalStateException("store down");
    assertEquals(Result.FAILED, reactivation.attempt("pat", "pw"));
    assertEquals(List.of(), accounts.log);
    assertEquals(State.INACTIVE, accounts.stateOf("pat"));
    assertEquals(List.of(), engine.logins);
  }

  @Test
  void theProbeIsUndoneEvenWhenDeactivatingFailsOnce() {
    accounts.user("ivy", "pw", State.INACTIVE);
    accounts.failDeactivations = 1;
    assertEquals(Result.NOT_VERIFIED, reactivation.attempt("ivy", "bad"));
    assertEquals(State.INACTIVE, accounts.stateOf("ivy"));
  }

  @Test
  void blankCredentialsAreIgnored() {
    accounts.user("jo", "pw", State.INACTIVE);
    assertEquals(Result.PASSED_THROUGH, reactivation.attempt("jo", ""));
    assertEquals(Result.PASSED_THROUGH, reactivation.attempt(null, "pw"));
    assertTrue(accounts.log.isEmpty());
  }
}
