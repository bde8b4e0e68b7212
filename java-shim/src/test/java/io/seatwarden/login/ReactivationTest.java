package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.LoginCheck;
import io.seatwarden.bridge.LoginCheck.Verification;
import io.seatwarden.bridge.LoginCheckOutcome;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Operation;
import io.seatwarden.login.FakeCrowd.Kind;
import io.seatwarden.login.FakeCrowd.NodeDied;
import io.seatwarden.login.FakeCrowd.Step;
import io.seatwarden.login.LoginAccounts.Credential;
import io.seatwarden.login.Reactivation.Result;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.store.FakeClusterLockService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReactivationTest {

  /** One node: the engine fake, the product fake over Crowd, and the filter's logic. */
  static final class Node {
    final FakeActingUser acting = new FakeActingUser();
    final FakeSeatwarden engine = new FakeSeatwarden(acting);
    final FakeCrowd crowd = new FakeCrowd(acting);
    final FakeClusterLockService locks = new FakeClusterLockService();
    final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    final Reactivation reactivation = new Reactivation(engine, crowd, acting, locks, now::get);

    Node() {
      crowd.onDeath = () -> engine.closed.set(true);
      // The engine's login policies give access back through the host.
      engine.onLoginAnswer =
          (user, at) -> {
            crowd.giveAccessBack(user);
            Operation op = new Operation.Activate("key-" + user);
            return new LoginOutcome("key-" + user, List.of(op), List.of(), List.of());
          };
    }

    /** Checks the engine's journal holds as begun and never ended. */
    List<Long> openChecks() {
      List<Long> open = new ArrayList<>();
      for (Long id : engine.checks.keySet()) {
        if (!engine.ended.containsKey(id)) {
          open.add(id);
        }
      }
      return open;
    }
  }

  @Test
  void connectorAndDelegatedWithUpdateNeverActivateBeforeTheCredentialIsProven() {
    for (Kind kind : List.of(Kind.CONNECTOR, Kind.DELEGATED_UPDATE)) {
      Node n = new Node();
      n.crowd.user("ann", "right", kind, false, true);
      assertEquals(Result.NOT_VERIFIED, n.reactivation.attempt("ann", "wrong"), kind.name());
      assertEquals(List.of("authenticate ann"), n.crowd.log, kind.name());
      assertEquals(0, n.crowd.userUpdates.get(), kind.name());

      n.now.addAndGet(FakeSeatwarden.BACKOFF_MILLIS);
      assertEquals(Result.REACTIVATED, n.reactivation.attempt("Ann", "right"), kind.name());
      assertEquals(
          List.of("authenticate ann", "authenticate ann", "reset ann", "give back ann"),
          n.crowd.log,
          kind + ": the still-inactive account's refusal was the proof; nothing activated first");
      assertEquals(List.of(Verification.PROOF, Verification.PROOF), n.engine.verifications);
      assertTrue(n.crowd.active("ann"));
      assertFalse(n.acting.active(), "the acting user is restored");
    }
  }

  @Test
  void internalAndPlainDelegatedAccountsAreNotProbedByDefault() {
    for (Kind kind : List.of(Kind.INTERNAL, Kind.DELEGATED)) {
      Node n = new Node();
      n.crowd.user("bea", "right", kind, false, true);
      assertEquals(Result.NOT_NEEDED, n.reactivation.attempt("bea", "right"), kind.name());
      assertEquals(List.of(), n.crowd.log, "no credential check, no change");
      assertEquals(List.of("check bea"), n.engine.loginCalls);
      assertEquals(LoginCheck.InactiveRefusal.BEFORE_CREDENTIAL, n.engine.lastRefusal);
      assertFalse(n.crowd.active("bea"));
    }
  }

  @Test
  void theProbeRunsOnlyWhereTheEngineSaysAnAdminOptedIn() {
    Node n = new Node();
    n.engine.probeOptIn = true;
    n.crowd.user("cy", "right", Kind.INTERNAL, false, true);
    assertEquals(Result.NOT_VERIFIED, n.reactivation.attempt("cy", "wrong"));
    assertEquals(List.of("activate cy", "authenticate cy", "deactivate cy"), n.crowd.log);
    assertFalse(n.crowd.active("cy"));
    n.now.addAndGet(FakeSeatwarden.BACKOFF_MILLIS);
    assertEquals(Result.REACTIVATED, n.reactivation.attempt("cy", "right"));
    assertEquals(
        List.of(
            "check cy", "check cy", "began cy", "ended cy NOT_VERIFIED",
            "check cy", "check cy", "began cy", "ended cy VERIFIED", "verified cy"),
        n.engine.loginCalls,
        "the check is journaled around the probe, and access given back only after it ended");
    assertTrue(n.engine.asAdmin.stream().allMatch(b -> b), "as the automation account");
  }

  @Test
  void aRefusalBeforeTheCredentialIsNeverTakenAsProof() {
    assertEquals(
        LoginCheckOutcome.VERIFIED,
        Reactivation.outcome(Verification.PROOF, Credential.REFUSED_INACTIVE));
    for (Verification how : List.of(Verification.LICENCE, Verification.PROBE)) {
      assertEquals(
          LoginCheckOutcome.NOT_VERIFIED, Reactivation.outcome(how, Credential.REFUSED_INACTIVE));
    }
    for (Verification how : Verification.values()) {
      assertEquals(LoginCheckOutcome.VERIFIED, Reactivation.outcome(how, Credential.ACCEPTED));
      assertEquals(
          LoginCheckOutcome.NOT_VERIFIED, Reactivation.outcome(how, Credential.NOT_ACCEPTED));
      assertEquals(LoginCheckOutcome.FAILED, Reactivation.outcome(how, Credential.FAILED));
    }
  }

  @Test
  void anUnlicensedUserIsVerifiedByTheProductsOwnCheckWithoutAnyChangeFirst() {
    Node n = new Node();
    n.crowd.user("dee", "right", Kind.INTERNAL, true, false);
    assertEquals(Result.NOT_VERIFIED, n.reactivation.attempt("dee", "wrong"));
    assertEquals(List.of("authenticate dee"), n.crowd.log);
    assertFalse(n.crowd.licensed("dee"));
    n.now.addAndGet(FakeSeatwarden.BACKOFF_MILLIS);
    assertEquals(Result.REACTIVATED, n.reactivation.attempt("dee", "right"));
    assertEquals(LoginCheck.AccountState.UNLICENSED, n.engine.lastState);
    assertEquals(List.of(Verification.LICENCE, Verification.LICENCE), n.engine.verifications);
    assertTrue(n.crowd.licensed("dee"));
    assertTrue(n.crowd.productLogin("dee", "right"), "the product's own login then succeeds");
  }

  /**
   * The rule that outranks everything: in every mode, whatever step the node dies at, a wrong
   * password changes no account. (With the opt-in probe the account is active inside the check;
   * a node dying there leaves the check open in the journal, which the engine's tick repair
   * deactivates: crates/seatwarden-service/tests/probe.rs.)
   */
  @Test
  void aWrongPasswordNeverChangesAnAccountInAnyModeEvenWhenTheNodeDies() {
    record Mode(String name, Kind kind, boolean active, boolean licensed, boolean probe) {}
    List<Mode> modes =
        List.of(
            new Mode("licence", Kind.INTERNAL, true, false, false),
            new Mode("proof connector", Kind.CONNECTOR, false, true, false),
            new Mode("proof delegated+update", Kind.DELEGATED_UPDATE, false, true, false),
            new Mode("internal, no probe", Kind.INTERNAL, false, true, false),
            new Mode("delegated, no probe", Kind.DELEGATED, false, true, false),
            new Mode("probe (opt-in)", Kind.INTERNAL, false, true, true));
    List<Step> kills = new ArrayList<>();
    kills.add(null);
    kills.addAll(List.of(Step.values()));
    for (Mode mode : modes) {
      for (Step kill : kills) {
        String what = mode.name() + ", node dies at " + kill;
        Node n = new Node();
        n.engine.probeOptIn = mode.probe();
        n.crowd.user("eve", "right", mode.kind(), mode.active(), mode.licensed());
        n.crowd.killAt = kill;
        try {
          Result r = n.reactivation.attempt("eve", "wrong");
          assertFalse(r == Result.REACTIVATED, what);
        } catch (NodeDied died) {
          // The JVM stopped here.
        }
        assertEquals(List.of(), n.engine.logins, what + ": no access given back");
        boolean unchanged =
            n.crowd.active("eve") == mode.active() && n.crowd.licensed("eve") == mode.licensed();
        if (!mode.probe()) {
          assertTrue(unchanged, what);
          assertEquals(0, n.crowd.userUpdates.get(), what + ": no user update");
        } else {
          assertTrue(
              unchanged || n.openChecks().size() == 1,
              what + ": unchanged, or the open check the tick's repair closes");
        }
      }
    }
  }

  @Test
  void aRightPasswordGivesAccessBackOnceAndOnlyThroughTheEngine() {
    Node n = new Node();
    n.crowd.user("fay", "right", Kind.CONNECTOR, false, true);
    assertEquals(Result.REACTIVATED, n.reactivation.attempt("fay", "right"));
    assertEquals(List.of("fay"), n.engine.logins, "one provisional grant, from the engine");
    // Active now: a second login passes through (the product's own login handles it).
    assertEquals(Result.PASSED_THROUGH, n.reactivation.attempt("fay", "right"));
    assertEquals(List.of("fay"), n.engine.logins);
  }

  @Test
  void aVerifiedCheckClearsTheFailedLoginCountSoTheCaptchaNeverBlocksReactivation() {
    Node n = new Node();
    n.crowd.user("gil", "right", Kind.CONNECTOR, false, true);
    for (int i = 0; i < 3; i++) {
      assertFalse(n.crowd.productLogin("gil", "typo"));
    }
    assertTrue(n.crowd.captchaDue("gil"), "the product now demands a CAPTCHA");
    assertEquals(Result.REACTIVATED, n.reactivation.attempt("gil", "right"));
    assertEquals(0, n.crowd.failedLogins("gil"), "Seatwarden's back-off is the brake instead");
    assertTrue(n.crowd.log.contains("reset gil"));
  }

  @Test
  void theThrottleRefusesBeforeAnyLookup() {
    Node n = new Node();
    n.crowd.user("hal", "right", Kind.INTERNAL, false, true);
    for (int i = 0; i < LoginThrottle.PER_USER; i++) {
      n.reactivation.attempt("hal", "x" + i, "10.0.0." + i);
    }
    int lookups = n.crowd.lookups.get();
    assertEquals(Result.THROTTLED, n.reactivation.attempt("HAL", "again", "10.0.0.99"));
    assertEquals(lookups, n.crowd.lookups.get(), "no product call once throttled");
    // One address trying many usernames.
    for (int i = 0; i < LoginThrottle.PER_ADDRESS; i++) {
      n.reactivation.attempt("user" + i, "pw", "192.0.2.7");
    }
    assertEquals(Result.THROTTLED, n.reactivation.attempt("someone", "pw", "192.0.2.7"));
    // A new window admits again.
    n.now.addAndGet(LoginThrottle.WINDOW_MILLIS);
    assertEquals(Result.NOT_NEEDED, n.reactivation.attempt("hal", "again", "10.0.0.99"));
  }

  @Test
  void lockNamesAreAFixedSetOfShortAsciiStripes() throws Exception {
    String long255 = "ü".repeat(255);
    for (String name : List.of("alice", "ALICE", long255, "名前", "a b;c")) {
      String lock = Reactivation.lockName(name);
      assertTrue(lock.matches("io\\.seatwarden\\.login\\.[0-9]{1,2}"), lock);
    }
    assertEquals(Reactivation.lockName("alice"), Reactivation.lockName("ALICE"));

    // Another request holds the stripe: this one does not wait, it passes the login on.
    Node n = new Node();
    n.crowd.user("ivy", "right", Kind.CONNECTOR, false, true);
    AutoCloseable held = n.locks.holdElsewhere(Reactivation.lockName("ivy"));
    try {
      assertEquals(Result.SKIPPED, n.reactivation.attempt("ivy", "right"));
    } finally {
      held.close();
    }
    assertEquals(List.of(), n.crowd.log);
  }

  @Test
  void theEnginesBackOffAndNotNeededChangeNothing() {
    Node n = new Node();
    n.crowd.user("jo", "right", Kind.CONNECTOR, false, true);
    n.engine.onLoginCheck =
        (user, at) -> new LoginCheck("key-jo", LoginCheck.Verdict.BACK_OFF, null, at + 1000, null);
    assertEquals(Result.SKIPPED, n.reactivation.attempt("jo", "right"));
    n.engine.onLoginCheck =
        (user, at) ->
            new LoginCheck("key-jo", LoginCheck.Verdict.NOT_NEEDED, "nothing_to_do", 0, null);
    assertEquals(Result.NOT_NEEDED, n.reactivation.attempt("jo", "right"));
    assertEquals(List.of(), n.crowd.log);
    assertEquals(List.of(), n.locks.acquired);
  }

  @Test
  void aProbeWhoseAccountCouldNotBePutBackLeavesTheCheckOpenForTheRepair() {
    Node n = new Node();
    n.engine.probeOptIn = true;
    n.crowd.user("kit", "right", Kind.INTERNAL, false, true);
    n.crowd.failDeactivations = 3;
    assertEquals(Result.FAILED, n.reactivation.attempt("kit", "wrong"));
    assertEquals(1, n.openChecks().size(), "left open: the tick deactivates the account");
    assertFalse(n.locks.isLocked(Reactivation.lockName("kit")));
  }

  @Test
  void aDirectoryFailureOrRefusedActivationChangesNothing() {
    Node n = new Node();
    n.crowd.user("lu", "right", Kind.CONNECTOR, false, true);
    n.crowd.checkFailure = new IllegalStateException("LDAP down");
    assertEquals(Result.FAILED, n.reactivation.attempt("lu", "right"));
    assertFalse(n.crowd.active("lu"));
    assertEquals(List.of(), n.engine.logins);

    Node m = new Node();
    m.engine.probeOptIn = true;
    m.crowd.user("mo", "right", Kind.INTERNAL, false, true);
    m.crowd.refuseActivation = true;
    assertEquals(Result.FAILED, m.reactivation.attempt("mo", "right"));
    assertFalse(m.crowd.active("mo"));
    assertEquals(List.of(), m.openChecks(), "the check ended (failed)");
  }

  @Test
  void blankCredentialsAreIgnored() {
    Node n = new Node();
    assertEquals(Result.PASSED_THROUGH, n.reactivation.attempt(null, "x"));
    assertEquals(Result.PASSED_THROUGH, n.reactivation.attempt(" ", "x"));
    assertEquals(Result.PASSED_THROUGH, n.reactivation.attempt("a", ""));
    assertEquals(0, n.crowd.lookups.get());
  }
}
