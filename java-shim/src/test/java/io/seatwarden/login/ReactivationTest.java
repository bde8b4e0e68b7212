package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Operation;
import io.seatwarden.login.LoginAccounts.State;
import io.seatwarden.login.Reactivation.Result;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.store.FakeClusterLockService;
import java.util.List;
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
    assertEquals(List.of(true), engine.asAdmin, "the engine was asked as the automation account");
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
    assertEquals(List.of(), engine.logins, "the engine never hears of a wrong password");
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
    now.addAndGet(Reactivation.BACKOFF_MILLIS);
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
