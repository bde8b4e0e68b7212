package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.ADMIN;
import static io.seatwarden.bridge.ServiceFixtures.DAY;
import static io.seatwarden.bridge.ServiceFixtures.DAY0;
import static io.seatwarden.bridge.ServiceFixtures.TICK;
import static io.seatwarden.bridge.ServiceFixtures.call;
import static io.seatwarden.bridge.ServiceFixtures.createPolicy;
import static io.seatwarden.bridge.ServiceFixtures.deactivationPolicy;
import static io.seatwarden.bridge.ServiceFixtures.open;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static io.seatwarden.bridge.ServiceFixtures.path;
import static io.seatwarden.bridge.ServiceFixtures.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.ServiceFixtures.Answer;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole product through the bridge: the service in the real library over the Java in-memory
 * host and record store, driven through {@link NativeSeatwarden}.
 */
class SeatwardenTest {
  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  @Test
  void aScheduledRunPlansAppliesThroughTheJavaHostAndAuditsThroughTheJavaStore() {
    InMemoryHost host = organisation(5);
    InMemoryRecordStore store = new InMemoryRecordStore();
    try (NativeSeatwarden app = open(host, store, DAY0)) {
      Answer created = createPolicy(app, deactivationPolicy("Idle 90", true));
      assertEquals(201, created.status(), created.toString());

      TickReport report = app.tick(TICK);
      assertEquals(1, report.runs().size(), report.toString());
      long run = report.runs().get(0);

      // Applied through the Java host: exactly the idle internal users; the sysadmin, the
      // read-only LDAP users, the fresh and the already deactivated ones are left alone.
      Set<String> deactivated =
          host.applied().stream()
              .filter(op -> op instanceof Operation.Deactivate)
              .map(op -> ((Operation.Deactivate) op).user())
              .collect(Collectors.toSet());
      assertEquals(
          Set.of("K-idle0000", "K-idle0001", "K-idle0002", "K-idle0003", "K-idle0004"),
          deactivated);
      assertEquals(List.of(), host.refused());
      assertFalse(host.peek("K-idle0003").orElseThrow().active());
      assertTrue(host.peek("K-ldap0000").orElseThrow().active());
      assertTrue(host.peek("K-admin").orElseThrow().active());

      // The run and its audit entries, read back through the admin API (from the Java store).
      Answer runAnswer = call(app, "GET", "/api/runs/" + run, null);
      assertEquals(200, runAnswer.status(), runAnswer.toString());
      assertEquals("succeeded", path(runAnswer.json(), "run", "status"), runAnswer.toString());
      assertEquals(5L, path(runAnswer.json(), "run", "counts", "succeeded"), runAnswer.toString());
      Answer audit = call(app, "GET", "/api/audit?run=" + run, null);
      assertEquals(200, audit.status(), audit.toString());
      List<?> entries = (List<?>) path(audit.json(), "entries");
      assertEquals(5, entries.size(), audit.toString());
      for (Object entry : entries) {
        assertTrue(String.valueOf(path(entry, "reason")).contains("days"), entry.toString());
      }
      assertTrue(store.size("audit") >= 5, "audit rows live in the Java store");
      assertTrue(store.size("runs") >= 1, "the run record lives in the Java store");

      // The same day's next tick does not run the policy again.
      assertEquals(List.of(), app.tick(TICK + 60_000).runs());
    }
  }

  @Test
  void aSafeModeRunRecordsThePlanAndChangesNothing() {
    InMemoryHost host = organisation(3);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      assertEquals(201, createPolicy(app, deactivationPolicy("Preview", false)).status());
      TickReport report = app.tick(TICK);
      assertEquals(1, report.runs().size());
      assertEquals(List.of(), host.applied());
      Answer actions = call(app, "GET", "/api/runs/" + report.runs().get(0) + "/actions", null);
      assertEquals(200, actions.status(), actions.toString());
      assertEquals(3, ((List<?>) path(actions.json(), "actions")).size(), actions.toString());
    }
  }

  @Test
  void aRunStartedFromTheApiIsDrivenByTheHostsThread() {
    InMemoryHost host = organisation(7);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      Answer created = createPolicy(app, deactivationPolicy("Now", true));
      Object id = path(created.json(), "policy", "id");
      Answer started = call(app, "POST", "/api/policies/" + id + "/run", null);
      assertEquals(202, started.status(), started.toString());
      assertEquals(List.of(), host.applied(), "nothing happens until drive()");
      int slices = 0;
      while (app.drive(TICK)) {
        slices++;
        assertTrue(slices < 1000);
      }
      assertTrue(slices >= 2, "7 actions in slices of 3 take several drive() calls: " + slices);
      assertEquals(7, host.applied().size());
      assertFalse(app.drive(TICK));
    }
  }

  @Test
  void aLoginReactivatesADeactivatedAccount() {
    InMemoryHost host = organisation(1);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      Answer created =
          createPolicy(
              app, "{\"name\":\"Back\",\"mode\":\"live\",\"action\":{\"kind\":\"reactivate\"}}");
      assertEquals(201, created.status(), created.toString());
      LoginOutcome outcome = app.onLogin("GONE0001", TICK);
      assertEquals("K-gone0001", outcome.user());
      assertTrue(outcome.reactivated(), outcome.toString());
      assertEquals(List.of(new Operation.Activate("K-gone0001")), outcome.applied());
      assertTrue(host.peek("K-gone0001").orElseThrow().active());
      // An active user's login changes nothing.
      LoginOutcome fresh = app.onLogin("fresh0000", TICK);
      assertEquals(List.of(), fresh.applied());
      assertFalse(fresh.reactivated());
      // The reactivation is in the audit log, with the policy as actor.
      Answer audit = call(app, "GET", "/api/audit", null);
      assertEquals(200, audit.status(), audit.toString());
      assertTrue(audit.toString().contains("K-gone0001"), audit.toString());
    }
  }

  private static final String FLOATING =
      "{\"name\":\"Float\",\"mode\":\"live\",\"trigger\":{\"kind\":\"login\"},"
          + "\"condition\":{\"kind\":\"login\"},\"action\":{\"kind\":\"floating_licence\","
          + "\"rules\":[{\"sourceGroups\":[\"marketing-users\"],"
          + "\"targetGroups\":[\"jira-software-users\"]}]}}";

  @Test
  void aLoginTakesAFloatingLicenceSeatWhileOneIsFree() {
    InMemoryHost host = organisation(2);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      assertEquals(201, createPolicy(app, FLOATING).status());
      int before = host.seatsUsed("jira-software");
      LoginOutcome outcome = app.onLogin("mkt0001", TICK);
      assertEquals(
          List.of(new Operation.AddToGroup("K-mkt0001", "jira-software-users")),
          outcome.applied(),
          outcome.toString());
      assertTrue(host.peek("K-mkt0001").orElseThrow().groups().contains("jira-software-users"));
      assertEquals(before + 1, host.seatsUsed("jira-software"));
    }
  }

  @Test
  void aLoginGetsNoFloatingSeatWhenTheLicenceIsFull() {
    // 1 admin + 16 idle + 3 fresh = 20 of 20 seats.
    InMemoryHost host = organisation(16);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      assertEquals(20, host.seatsUsed("jira-software"));
      assertEquals(201, createPolicy(app, FLOATING).status());
      LoginOutcome outcome = app.onLogin("mkt0000", TICK);
      assertEquals(List.of(), outcome.applied(), outcome.toString());
      assertFalse(host.peek("K-mkt0000").orElseThrow().groups().contains("jira-software-users"));
    }
  }

  @Test
  void adminRequestsAreAnsweredAndRefusedLikeTheProductWould() {
    InMemoryHost host = organisation(2);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      Answer users = call(app, "GET", "/api/users", null);
      assertEquals(200, users.status(), users.toString());
      assertEquals(13L, path(users.json(), "total"), users.toString());
      assertEquals("application/json", users.response().contentType());

      ApiRequest.Context nonAdmin = new ApiRequest.Context("K-fresh0000", false, null, true, true);
      assertEquals(403, call(app, request("GET", "/api/users", null, nonAdmin)).status());
      ApiRequest.Context noXsrf = new ApiRequest.Context("K-admin", true, null, false, true);
      Answer refused =
          call(app, request("POST", "/api/policies", deactivationPolicy("X", true), noXsrf));
      assertEquals(403, refused.status(), refused.toString());
      ApiRequest.Context nobody = new ApiRequest.Context(null, false, null, false, false);
      assertEquals(401, call(app, request("GET", "/api/dashboard", null, nobody)).status());
      assertEquals(405, call(app, "PATCH", "/api/users", null).status());
      assertEquals(404, call(app, "GET", "/api/nothing-here", null).status());
      Answer bad = call(app, "POST", "/api/policies", "{\"name\":");
      assertEquals(400, bad.status(), bad.toString());
      assertTrue(path(bad.json(), "error", "message") instanceof String, bad.toString());
      // Nothing was created by the refused writes.
      Answer policies = call(app, "GET", "/api/policies", null);
      assertEquals(200, policies.status());
      assertEquals(0, ((List<?>) path(policies.json(), "policies")).size(), policies.toString());

      // A download keeps its headers and bytes.
      Answer export = call(app, "GET", "/api/users/export", null);
      assertEquals(200, export.status(), export.toString());
      assertTrue(export.response().contentType().startsWith("text/csv"));
      assertTrue(
          export.response().headers().stream()
              .anyMatch(h -> h.name().equalsIgnoreCase("Content-Disposition")));
      String csv = new String(export.response().body(), StandardCharsets.UTF_8);
      assertTrue(csv.contains("mkt0002"), csv);
    }
  }

  @Test
  void aBodyThatIsNotUtf8CrossesIntact() {
    InMemoryHost host = organisation(1);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      byte[] latin1 = "username\nm\u00fcller\n".getBytes(StandardCharsets.ISO_8859_1);
      ApiRequest upload =
          new ApiRequest("POST", "/api/import/validate", List.of(), latin1, ADMIN);
      byte[] encoded = Codec.apiRequest(upload, TICK);
      assertTrue(new String(encoded, StandardCharsets.UTF_8).contains("\"bodyHex\""));
      ApiResponse response = app.handle(upload);
      assertTrue(response.status() < 500, response.status() + " " + new String(response.body(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void hostOutagesAndBugsBecomeTypedExceptionsAndNothingStaysPending() {
    InMemoryHost host = organisation(2);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      host.setUnavailable(true);
      UnavailableException down =
          assertThrows(UnavailableException.class, () -> app.onLogin("fresh0000", TICK));
      assertEquals("host", down.details().get("source"));
      assertTrue(down.getMessage().contains("the test directory is down"), down.getMessage());
      host.setUnavailable(false);

      host.setFailure(new IllegalStateException("secret alice@example.invalid"));
      InternalException bug =
          assertThrows(InternalException.class, () -> app.onLogin("fresh0000", TICK));
      assertTrue(bug.getMessage().contains("java.lang.IllegalStateException"), bug.getMessage());
      assertFalse(bug.getMessage().contains("alice"), bug.getMessage());
      host.setFailure(null);

      // The same service answers again: no exception was left pending in the JVM.
      assertEquals("K-fresh0000", app.onLogin("fresh0000", TICK).user());
    }
  }

  @Test
  void anErrorEscapingTheAdapterIsClearedByTheLibrary() {
    InMemoryHost real = organisation(1);
    java.util.concurrent.atomic.AtomicBoolean broken =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    Host host =
        new Host() {
          @Override
          public DirectoryHeader header() {
            if (broken.get()) {
              // Not a RuntimeException: HostBridge does not catch it, Rust must clear it.
              throw new AssertionError("from the host");
            }
            return real.header();
          }

          @Override
          public UsersPage users(String cursor, int limit) {
            return real.users(cursor, limit);
          }

          @Override
          public java.util.Optional<DirectoryUser> user(String key) {
            return real.user(key);
          }

          @Override
          public java.util.Optional<DirectoryUser> userByUsername(String username) {
            return real.userByUsername(username);
          }

          @Override
          public OperationResult apply(Operation operation) {
            return real.apply(operation);
          }
        };
    try (NativeSeatwarden app =
        NativeSeatwarden.builder().host(host).store(new InMemoryRecordStore()).nodeId("n").open()) {
      InternalException e =
          assertThrows(InternalException.class, () -> app.onLogin("fresh0000", TICK));
      assertTrue(e.getMessage().contains("unexpected exception"), e.getMessage());
      broken.set(false);
      assertEquals("K-fresh0000", app.onLogin("fresh0000", TICK).user());
    }
  }

  @Test
  void aStoreThatCannotBeReadFailsTheOpenWithUnavailable() {
    InMemoryRecordStore store = new InMemoryRecordStore();
    store.setUnavailable(true);
    UnavailableException e =
        assertThrows(UnavailableException.class, () -> open(organisation(1), store, DAY0));
    assertEquals("store", e.details().get("source"), e.details().toString());
  }

  @Test
  void badOptionsAreABadRequestNamingTheField() {
    BadRequestException e =
        assertThrows(
            BadRequestException.class,
            () ->
                NativeSeatwarden.builder()
                    .host(organisation(1))
                    .store(new InMemoryRecordStore())
                    .nodeId("n")
                    .product("bamboo")
                    .open());
    assertEquals(Map.of("field", "product"), e.details());
    assertThrows(
        BadRequestException.class,
        () ->
            NativeSeatwarden.builder()
                .host(organisation(1))
                .store(new InMemoryRecordStore())
                .open());
  }

  @Test
  void aPanicInsideAServiceCallIsAnInternalExceptionAndTheServiceLivesOn() {
    try (NativeSeatwarden app = open(organisation(1), new InMemoryRecordStore(), DAY0)) {
      for (int i = 0; i < 5; i++) {
        InternalException e =
            assertThrows(
                InternalException.class,
                () -> Envelope.unwrap(NativeTesting.testServicePanic(app.nativeHandle())));
        assertEquals("internal error in the native library", e.getMessage());
        assertTrue(String.valueOf(e.details().get("location")).contains("testing.rs"));
      }
      assertEquals(200, call(app, "GET", "/api/users", null).status());
    }
  }

  @Test
  void closedServicesThrowAndReleaseTheirNativeSide() {
    long before = NativeTesting.testOpenServices();
    NativeSeatwarden app = open(organisation(1), new InMemoryRecordStore(), DAY0);
    assertEquals(before + 1, NativeTesting.testOpenServices());
    long handle = app.nativeHandle();
    app.close();
    app.close();
    assertTrue(app.isClosed());
    assertEquals(before, NativeTesting.testOpenServices());
    assertThrows(EngineClosedException.class, () -> app.tick(TICK));
    assertThrows(EngineClosedException.class, () -> app.onLogin("x", TICK));
    assertThrows(EngineClosedException.class, () -> app.drive(TICK));
    assertThrows(EngineClosedException.class, () -> call(app, "GET", "/api/users", null));
    // The native side refuses the stale handle on its own too.
    EngineClosedException stale =
        assertThrows(
            EngineClosedException.class, () -> Envelope.unwrap(Native.serviceTick(handle, TICK)));
    assertEquals(handle, stale.details().get("handle"));
    assertFalse(Native.serviceClose(handle));
    assertThrows(
        EngineClosedException.class,
        () -> Envelope.unwrap(Native.serviceHandle(handle, Codec.apiRequest(
            request("GET", "/api/users", null, ADMIN), TICK))));
    assertThrows(
        EngineClosedException.class,
        () -> Envelope.unwrap(Native.serviceLogin(handle, Codec.loginRequest("x", TICK))));
    assertThrows(
        EngineClosedException.class, () -> Envelope.unwrap(Native.serviceDrive(handle, TICK)));
  }

  @Test
  void malformedServiceRequestsAreBadRequestsOrUnsupportedVersions() {
    try (NativeSeatwarden app = open(organisation(1), new InMemoryRecordStore(), DAY0)) {
      long h = app.nativeHandle();
      byte[] noVersion = "{\"username\":\"x\",\"now\":1}".getBytes(StandardCharsets.UTF_8);
      assertThrows(
          BadRequestException.class, () -> Envelope.unwrap(Native.serviceLogin(h, noVersion)));
      byte[] future =
          "{\"version\":9,\"username\":\"x\",\"now\":1}".getBytes(StandardCharsets.UTF_8);
      assertThrows(
          UnsupportedVersionException.class, () -> Envelope.unwrap(Native.serviceLogin(h, future)));
      assertThrows(BridgeException.class, () -> Native.serviceHandle(h, null));
    }
  }
}
