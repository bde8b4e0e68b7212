package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.TICK;
import static io.seatwarden.bridge.ServiceFixtures.call;
import static io.seatwarden.bridge.ServiceFixtures.createPolicy;
import static io.seatwarden.bridge.ServiceFixtures.open;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.ServiceFixtures.Answer;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The reactivation filter's three engine calls through the real library: the engine's verdict, the
 * journal of password checks over the Java record store, the back-off shared by two nodes, and the
 * tick's repair of a check a dead node left open.
 */
class LoginCheckTest {
  private static final String REACTIVATE =
      "{\"name\":\"Back\",\"mode\":\"live\",\"action\":{\"kind\":\"reactivate\"}}";
  /** The engine's grace before an open check counts as abandoned, plus a little. */
  private static final long AFTER_GRACE = 2 * 60 * 1000L + 1000;

  private static final long BACKOFF = 5 * 60 * 1000L;

  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  private static final LoginCheck.AccountState INACTIVE = LoginCheck.AccountState.INACTIVE;
  private static final LoginCheck.InactiveRefusal PROOF = LoginCheck.InactiveRefusal.AFTER_CREDENTIAL;
  private static final LoginCheck.InactiveRefusal FIRST = LoginCheck.InactiveRefusal.BEFORE_CREDENTIAL;
  /** The engine's default confirm window (10 minutes), plus a little. */
  private static final long AFTER_WINDOW = 10 * 60 * 1000L + 1000;

  private static NativeSeatwarden withPolicy(InMemoryHost host, InMemoryRecordStore store) {
    NativeSeatwarden app = open(host, store, TICK);
    Answer created = createPolicy(app, REACTIVATE);
    assertEquals(201, created.status(), created.toString());
    return app;
  }

  @Test
  void theEngineSaysWhetherAVerifiedLoginWouldGiveAccessBack() {
    InMemoryHost host = organisation(1);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), TICK)) {
      LoginCheck none = app.loginCheck("gone0000", INACTIVE, PROOF, TICK);
      assertEquals(LoginCheck.Verdict.NOT_NEEDED, none.verdict());
      assertEquals("no_login_policy", none.reason());
      assertEquals(201, createPolicy(app, REACTIVATE).status());
      LoginCheck gone = app.loginCheck("GONE0000", INACTIVE, PROOF, TICK);
      assertEquals(
          new LoginCheck(
              "K-gone0000", LoginCheck.Verdict.VERIFY, null, 0, LoginCheck.Verification.PROOF),
          gone);
      LoginCheck internal = app.loginCheck("gone0000", INACTIVE, FIRST, TICK);
      assertEquals("no_safe_verification", internal.reason(), "no probe unless opted in");
      LoginCheck unlicensed =
          app.loginCheck("gone0000", LoginCheck.AccountState.UNLICENSED, FIRST, TICK);
      assertEquals(LoginCheck.Verification.LICENCE, unlicensed.verification());
      LoginCheck fresh = app.loginCheck("fresh0000", INACTIVE, PROOF, TICK);
      assertEquals(LoginCheck.Verdict.NOT_NEEDED, fresh.verdict());
      assertEquals("nothing_to_do", fresh.reason());
      assertEquals(List.of(), host.applied(), "asking changes nothing");
    }
  }

  @Test
  void aCheckADeadNodeLeftOpenIsRepairedByTheNextTick() {
    InMemoryHost host = organisation(1);
    InMemoryRecordStore store = new InMemoryRecordStore();
    try (NativeSeatwarden app = withPolicy(host, store)) {
      assertTrue(app.loginCheck("gone0000", INACTIVE, PROOF, TICK).verify());
      // The filter on a node journals the check, activates the account… and the node dies.
      long check = app.loginCheckBegan("gone0000", LoginCheck.Verification.PROBE, TICK);
      assertTrue(check > 0);
      assertEquals(OperationResult.applied(), host.apply(new Operation.Activate("K-gone0000")));

      app.tick(TICK + 1000);
      assertTrue(host.peek("K-gone0000").orElseThrow().active(), "within the grace: may be running");

      app.tick(TICK + AFTER_GRACE);
      assertFalse(host.peek("K-gone0000").orElseThrow().active(), "deactivated again");
      assertTrue(host.applied().contains(new Operation.Deactivate("K-gone0000")));
      Answer audit = call(app, "GET", "/api/audit", null);
      assertEquals(200, audit.status(), audit.toString());
      assertTrue(audit.toString().contains("login_check_repaired"), audit.toString());
      assertTrue(audit.toString().contains("check " + check + ": "), audit.toString());

      // Once: a later tick leaves it alone.
      int writes = host.applied().size();
      app.tick(TICK + 2 * AFTER_GRACE);
      assertEquals(writes, host.applied().size());
    }
  }

  @Test
  void aWrongPasswordBacksTheUserOffOnTheOtherNodeToo() {
    InMemoryHost host = organisation(1);
    InMemoryRecordStore store = new InMemoryRecordStore();
    try (NativeSeatwarden nodeA = withPolicy(host, store);
        NativeSeatwarden nodeB =
            NativeSeatwarden.builder()
                .host(host)
                .store(store)
                .nodeId("node-b")
                .clock(() -> TICK)
                .open()) {
      long check = nodeA.loginCheckBegan("gone0001", LoginCheck.Verification.PROBE, TICK);
      nodeA.loginCheckEnded(check, LoginCheckOutcome.NOT_VERIFIED, TICK + 10);
      LoginCheck onB = nodeB.loginCheck("gone0001", INACTIVE, PROOF, TICK + 20);
      assertEquals(
          new LoginCheck(
              "K-gone0001", LoginCheck.Verdict.BACK_OFF, null, TICK + 10 + BACKOFF, null),
          onB);
      assertTrue(nodeB.loginCheck("gone0001", INACTIVE, PROOF, TICK + 10 + BACKOFF).verify());
    }
  }

  @Test
  void unknownUsersAndChecksAreNotFound() {
    try (NativeSeatwarden app = withPolicy(organisation(1), new InMemoryRecordStore())) {
      NotFoundException user =
          assertThrows(NotFoundException.class, () -> app.loginCheckBegan("nobody.here", LoginCheck.Verification.PROBE, TICK));
      assertFalse(user.getMessage().contains("nobody.here"), user.getMessage());
      assertThrows(
          NotFoundException.class,
          () -> app.loginCheckEnded(424242, LoginCheckOutcome.VERIFIED, TICK));
    }
  }

  @Test
  void accessGivenBackAtLoginStandsOnlyIfTheProductCompletesThatLogin() {
    InMemoryHost host = organisation(1);
    InMemoryRecordStore store = new InMemoryRecordStore();
    try (NativeSeatwarden app = withPolicy(host, store)) {
      // gone0000: verified, and the product completes the login.
      long first = app.loginCheckBegan("gone0000", LoginCheck.Verification.PROOF, TICK);
      ConflictException early =
          assertThrows(ConflictException.class, () -> app.loginVerified(first, TICK + 1));
      assertFalse(early.getMessage().isEmpty());
      app.loginCheckEnded(first, LoginCheckOutcome.VERIFIED, TICK + 1);
      LoginOutcome given = app.loginVerified(first, TICK + 2);
      assertEquals(List.of(new Operation.Activate("K-gone0000")), given.applied());
      assertThrows(ConflictException.class, () -> app.loginVerified(first, TICK + 3));
      app.loginCompleted("gone0000", TICK + 3);

      // gone0001: verified, but the identity provider (or a second factor) refuses the login.
      long second = app.loginCheckBegan("gone0001", LoginCheck.Verification.PROOF, TICK);
      app.loginCheckEnded(second, LoginCheckOutcome.VERIFIED, TICK + 1);
      app.loginVerified(second, TICK + 2);
      app.onLogin("gone0001", TICK + 4); // a token's login proves nothing
      assertTrue(host.peek("K-gone0001").orElseThrow().active());

      app.tick(TICK + 2 + AFTER_WINDOW);
      assertTrue(host.peek("K-gone0000").orElseThrow().active(), "completed: stands");
      assertFalse(host.peek("K-gone0001").orElseThrow().active(), "not completed: taken back");
      Answer audit = call(app, "GET", "/api/audit", null);
      assertTrue(audit.toString().contains("login_not_completed"), audit.toString());
      assertTrue(audit.toString().contains("login_confirmed"), audit.toString());
    }
  }
}
