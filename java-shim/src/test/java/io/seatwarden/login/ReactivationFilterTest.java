package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Operation;
import io.seatwarden.login.FakeCrowd.Kind;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.store.FakeClusterLockService;
import io.seatwarden.web.FakeHttp;
import io.seatwarden.web.ServletApi;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReactivationFilterTest {

  private final FakeActingUser acting = new FakeActingUser();
  private final FakeSeatwarden engine = new FakeSeatwarden(acting);
  private final FakeCrowd accounts = new FakeCrowd(acting);
  private final Reactivation reactivation =
      new Reactivation(engine, accounts, acting, new FakeClusterLockService(), () -> 1000L);
  private final ReactivationFilter filter = new ReactivationFilter(() -> Optional.of(reactivation));
  /** For each chain call: was the thread acting as the automation account, and the account's state. */
  private final List<String> chained = new ArrayList<>();

  @BeforeEach
  void setUp() {
    ServletApi.init(
        filter,
            Map.of(
                "login-paths", "/login.jsp, /rest/gadget/1.0/login",
                "json-login-paths", "/rest/auth/1/session",
                "basic-auth", "false"));
    accounts.user("alice", "s3cret", Kind.CONNECTOR, false, true);
    engine.onLoginAnswer =
        (user, at) -> {
          accounts.giveAccessBack(user);
          return new LoginOutcome("k", List.of(new Operation.Activate("k")), List.of(), List.of());
        };
  }

  private ServletApi.Chain chain() {
    return (req, res) ->
        chained.add(
            "admin="
                + acting.active()
                + " alice="
                + (accounts.active("alice") ? "ACTIVE" : "INACTIVE")
                + (VerifiedLogin.isFor("alice") ? " verified" : ""));
  }

  private static FakeHttp.Request formLogin(String user, String password) {
    FakeHttp.Request request = new FakeHttp.Request().method("POST").path("/login.jsp");
    request.contentType = "application/x-www-form-urlencoded; charset=UTF-8";
    request.params.put("os_username", user);
    request.params.put("os_password", password);
    return request;
  }

  @Test
  void rightPasswordOnTheLoginFormReactivatesThenTheLoginProceedsAsAnonymous() throws Exception {
    ServletApi.doFilter(filter, formLogin("alice", "s3cret").build(), new FakeHttp.Response().build(), chain());
    assertEquals(
        List.of("admin=false alice=ACTIVE verified"),
        chained,
        "the product's login runs marked as the verified login, anonymous");
    assertFalse(VerifiedLogin.isFor("alice"), "the mark ends with the request");
  }

  @Test
  void pathParametersRepeatedSlashesAndTheDashboardGadgetCannotSlipPast() throws Exception {
    FakeHttp.Request session = formLogin("alice", "s3cret");
    session.uri = "/jira/login.jsp;jsessionid=ABC123";
    session.servletPath = "/login.jsp";
    FakeHttp.Request slashes = formLogin("alice", "s3cret");
    slashes.uri = "/jira//login.jsp";
    slashes.servletPath = "//login.jsp";
    FakeHttp.Request gadget = formLogin("alice", "s3cret").path("/rest/gadget/1.0/login");
    for (FakeHttp.Request request : List.of(session, slashes, gadget)) {
      accounts.user("alice", "s3cret", Kind.CONNECTOR, false, true);
      ServletApi.doFilter(filter, request.build(), new FakeHttp.Response().build(), chain());
    }
    assertEquals(
        List.of(
            "admin=false alice=ACTIVE verified",
            "admin=false alice=ACTIVE verified",
            "admin=false alice=ACTIVE verified"),
        chained);
    FakeHttp.Request info = new FakeHttp.Request();
    info.servletPath = "/rest";
    info.pathInfo = "/gadget/1.0/login;x=y";
    assertEquals("/rest/gadget/1.0/login", ReactivationGate.path(info.servletPath, info.pathInfo));
  }

  @Test
  void wrongPasswordLeavesTheAccountDeactivatedAndTheLoginProceedsToBeRefused() throws Exception {
    ServletApi.doFilter(filter, formLogin("alice", "nope").build(), new FakeHttp.Response().build(), chain());
    assertEquals(List.of("admin=false alice=INACTIVE"), chained);
    assertEquals(List.of(), engine.logins);
  }

  @Test
  void otherRequestsPassStraightThroughWithoutReadingAnything() throws Exception {
    FakeHttp.Request get = new FakeHttp.Request().path("/login.jsp");
    get.params.put("os_username", "alice");
    get.params.put("os_password", "s3cret");
    ServletApi.doFilter(filter, get.build(), new FakeHttp.Response().build(), chain());
    FakeHttp.Request elsewhere = formLogin("alice", "s3cret").path("/secure/Dashboard.jspa");
    ServletApi.doFilter(filter, elsewhere.build(), new FakeHttp.Response().build(), chain());
    assertEquals(2, chained.size());
    assertEquals(List.of(), accounts.log);
    assertEquals(0, accounts.lookups.get());
    assertEquals(0, get.bodyReads + elsewhere.bodyReads);
  }

  @Test
  void basicCredentialsAreIgnoredUnlessEnabled() throws Exception {
    String basic =
        "Basic " + Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
    Object request = new FakeHttp.Request().path("/rest/api/2/myself").header("Authorization", basic).build();
    ServletApi.doFilter(filter, request, new FakeHttp.Response().build(), chain());
    assertEquals(List.of("admin=false alice=INACTIVE"), chained);

    ServletApi.init(filter, Map.of("login-paths", "/login.jsp", "basic-auth", "true"));
    ServletApi.doFilter(filter, request, new FakeHttp.Response().build(), chain());
    assertEquals("admin=false alice=ACTIVE verified", chained.get(1));
  }

  @Test
  void stoppedPluginPassesEverythingThrough() throws Exception {
    ReactivationFilter stopped = new ReactivationFilter(Optional::empty);
    ServletApi.init(stopped, Map.of("login-paths", "/login.jsp"));
    ServletApi.doFilter(stopped, formLogin("alice", "s3cret").build(), new FakeHttp.Response().build(), chain());
    assertEquals(List.of("admin=false alice=INACTIVE"), chained);
  }

  @Test
  void jsonSessionLoginReactivatesAndTheProductReadsTheSameBytes() throws Exception {
    String body = "{\"username\": \"alice\", \"password\": \"s3\\u0063ret\", \"extra\": [1, {\"a\": \"}\"}]}";
    FakeHttp.Request request = new FakeHttp.Request().method("POST").path("/rest/auth/1/session");
    request.body("application/json;charset=UTF-8", body);
    List<String> seen = new ArrayList<>();
    ServletApi.doFilter(
        filter,
        request.build(),
        new FakeHttp.Response().build(),
        (req, res) -> {
          seen.add(new String(ServletApi.body(req), StandardCharsets.UTF_8));
          chain().doFilter(req, res);
        });
    assertEquals(List.of(body), seen, "the product must read the body byte for byte");
    assertEquals(List.of("admin=false alice=ACTIVE verified"), chained);
  }

  @Test
  void aLongJsonBodyIsPassedOnWholeWithoutBeingRead() throws Exception {
    String body = "{\"username\":\"alice\",\"password\":\"s3cret\",\"pad\":\"" + "x".repeat(20_000) + "\"}";
    FakeHttp.Request request = new FakeHttp.Request().method("POST").path("/rest/auth/1/session");
    request.body("application/json", body);
    List<String> seen = new ArrayList<>();
    ServletApi.doFilter(
        filter,
        request.build(),
        new FakeHttp.Response().build(),
        (req, res) -> {
          seen.add(new String(ServletApi.body(req), StandardCharsets.UTF_8));
          chain().doFilter(req, res);
        });
    assertEquals(List.of(body), seen);
    assertEquals(List.of("admin=false alice=INACTIVE"), chained);
  }

  @Test
  void malformedJsonPassesThroughUnchanged() throws Exception {
    for (String body : List.of("{\"username\":\"alice\"", "[1,2]", "{\"username\":\"alice\",\"password\":3}", "")) {
      FakeHttp.Request request = new FakeHttp.Request().method("POST").path("/rest/auth/1/session");
      request.body("application/json", body);
      List<String> seen = new ArrayList<>();
      ServletApi.doFilter(
        filter,
          request.build(),
          new FakeHttp.Response().build(),
          (req, res) -> seen.add(new String(ServletApi.body(req), StandardCharsets.UTF_8)));
      assertEquals(List.of(body), seen);
    }
    assertEquals(List.of(), accounts.log);
  }

  @Test
  void jsonCredentialsReader() {
    String[] creds = JsonCredentials.parse(" { \"password\" : \"p\\\"w\" , \"n\": null, \"username\":\"\\u00e9mile\" } ");
    assertEquals("\u00e9mile", creds[0]);
    assertEquals("p\"w", creds[1]);
    assertNull(JsonCredentials.parse("{\"username\":\"a\",\"password\":\"b\"} trailing"));
    assertNull(JsonCredentials.parse("{\"username\":\"a\"}"));
    assertNull(JsonCredentials.parse(null));
    assertNull(JsonCredentials.parse("{\"username\":\"a\\x\",\"password\":\"b\"}"));
  }

  @Test
  void basicHeaderParsing() {
    assertNull(ReactivationGate.basicCredentials("Bearer abc"));
    assertNull(ReactivationGate.basicCredentials("Basic !!!"));
    assertNull(
        ReactivationGate.basicCredentials(
            "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8))));
    String[] creds =
        ReactivationGate.basicCredentials(
            "basic " + Base64.getEncoder().encodeToString("u:p:q".getBytes(StandardCharsets.UTF_8)));
    assertEquals("u", creds[0]);
    assertEquals("p:q", creds[1]);
    assertFalse(acting.active());
  }
}
