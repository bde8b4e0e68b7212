package io.seatwarden.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.ApiRequest;
import io.seatwarden.bridge.ApiResponse;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.plugin.FakeSeatwarden;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

public class AdminServletTest {

  public static final String TOKEN = FakeSal.TOKEN;

  private final FakeSal sal = new FakeSal();
  private final FakeSeatwarden engine = new FakeSeatwarden(null);
  private final AtomicInteger wakes = new AtomicInteger();
  private Optional<Seatwarden> current = Optional.of(engine);
  private String product = "jira";
  private Optional<StartFailure> failure = Optional.empty();
  private final AdminBackend backend =
      new AdminBackend() {
        @Override
        public Optional<Seatwarden> engine() {
          return current;
        }

        @Override
        public void workQueued() {
          wakes.incrementAndGet();
        }

        @Override
        public Optional<String> product() {
          return Optional.of(product);
        }

        @Override
        public Optional<StartFailure> startFailure() {
          return failure;
        }
      };
  private final AdminServlet servlet;

  AdminServletTest() {
    URL assets = AdminServletTest.class.getClassLoader().getResource("ui-test/");
    servlet = sal.servlet(backend, new URLClassLoader(new URL[] {assets}, null));
  }

  private FakeHttp.Response send(FakeHttp.Request request) throws Exception {
    FakeHttp.Response response = new FakeHttp.Response();
    ServletApi.service(servlet, request.build(), response.build());
    return response;
  }

  private static FakeHttp.Request api(String method, String path) {
    return new FakeHttp.Request().method(method).path(AdminPages.BASE_PATH + "/api/" + path);
  }

  @Test
  void getPassesThroughWithTheVerifiedContext() throws Exception {
    FakeHttp.Request request = api("GET", "users");
    request.query = "q=a%20b&sort=name&group=x&group=y";
    FakeHttp.Response response = send(request);
    assertEquals(200, response.status);
    assertEquals("{\"ok\":true}", response.text());
    ApiRequest seen = engine.requests.get(0);
    assertEquals("GET", seen.method());
    assertEquals("/api/users", seen.path());
    assertEquals(
        List.of(
            new ApiRequest.Param("q", "a b"),
            new ApiRequest.Param("sort", "name"),
            new ApiRequest.Param("group", "x"),
            new ApiRequest.Param("group", "y")),
        seen.query());
    assertEquals(new ApiRequest.Context("admin-key", true, "192.0.2.10", false, true), seen.context());
    assertEquals(0, wakes.get(), "a read queues nothing");
  }

  @Test
  void nonAdminIsRefusedBeforeTheEngine() throws Exception {
    sal.sysadmin = false;
    FakeHttp.Response response = send(api("GET", "users"));
    assertEquals(403, response.status);
    assertTrue(response.text().contains("\"forbidden\""));
    assertTrue(engine.requests.isEmpty());
    FakeHttp.Response page = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/"));
    assertEquals(403, page.status);
  }

  @Test
  void anonymousApiCallIs401AndAnonymousPageGoesToLogin() throws Exception {
    sal.user = null;
    assertEquals(401, send(api("GET", "users")).status);
    FakeHttp.Response page = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/"));
    assertEquals(302, page.status);
    assertTrue(page.redirect.startsWith("/jira/login.jsp?os_destination="), page.redirect);
    assertTrue(engine.requests.isEmpty());
  }

  @Test
  void postWithoutXsrfTokenIsRefused() throws Exception {
    FakeHttp.Response response = send(api("POST", "policies").body("application/json", "{}"));
    assertEquals(403, response.status);
    assertTrue(response.text().contains("\"xsrf\""));
    FakeHttp.Request wrong = api("DELETE", "policies/1").header("X-Seatwarden-XSRF", "tok-999");
    assertEquals(403, send(wrong).status);
    // A form post's SAL token is not read (reading it would consume the body).
    sal.formToken = true;
    assertEquals(403, send(api("POST", "import").body("application/x-www-form-urlencoded", "a=b")).status);
    assertTrue(engine.requests.isEmpty());
    assertEquals(0, wakes.get());
  }

  @Test
  void postWithTheSessionTokenReachesTheEngineAndWakesThePump() throws Exception {
    FakeHttp.Request request =
        api("POST", "bulk").header("X-Seatwarden-XSRF", TOKEN).body("application/json", "{\"users\":[\"k1\"]}");
    FakeHttp.Response response = send(request);
    assertEquals(200, response.status);
    ApiRequest seen = engine.requests.get(0);
    assertArrayEquals("{\"users\":[\"k1\"]}".getBytes(StandardCharsets.UTF_8), seen.body());
    assertTrue(seen.context().xsrfVerified());
    assertTrue(seen.context().websudoVerified());
    assertEquals(1, wakes.get());
  }

  @Test
  void salAtlTokenParameterIsAcceptedForNonFormBodies() throws Exception {
    sal.formToken = true;
    FakeHttp.Response response = send(api("PUT", "settings").body("application/json", "{}"));
    assertEquals(200, response.status);
    assertTrue(engine.requests.get(0).context().xsrfVerified());
  }

  @Test
  void withoutWebSudoPagesAskForThePasswordAndTheApiAnswers401() throws Exception {
    sal.webSudo = false;
    FakeHttp.Response page = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/"));
    assertEquals(302, page.status);
    assertTrue(page.redirect.contains("WebSudoAuthenticate"));
    FakeHttp.Response call = send(api("GET", "users"));
    assertEquals(401, call.status);
    assertTrue(call.text().contains("websudo_required"));
    assertTrue(engine.requests.isEmpty());
  }

  @Test
  void sessionHandsTheUiTheSalToken() throws Exception {
    FakeHttp.Response response = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/session"));
    assertEquals(200, response.status);
    assertEquals("{\"xsrfToken\":\"tok-123\"}", response.text());
    assertEquals(204, send(new FakeHttp.Request().method("DELETE").path(AdminPages.BASE_PATH + "/session")).status);
  }

  @Test
  void engineResponseIsWrittenAsIs() throws Exception {
    engine.onHandle =
        r ->
            new ApiResponse(
                201,
                "text/csv",
                List.of(new ApiResponse.Header("Content-Disposition", "attachment; filename=\"audit.csv\"")),
                "a,b\n".getBytes(StandardCharsets.UTF_8));
    FakeHttp.Response response = send(api("GET", "audit/export"));
    assertEquals(201, response.status);
    assertEquals("text/csv", response.contentType);
    assertEquals("attachment; filename=\"audit.csv\"", response.header("Content-Disposition"));
    assertEquals("a,b\n", response.text());
  }

  @Test
  void stoppedEngineIs503() throws Exception {
    current = Optional.empty();
    assertEquals(503, send(api("GET", "users")).status);
  }

  @Test
  void pageIsServedWithTheAdminDecoratorAndApiBase() throws Exception {
    FakeHttp.Response response = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/"));
    assertEquals(200, response.status);
    assertEquals("text/html;charset=UTF-8", response.contentType);
    String html = response.text();
    assertTrue(html.contains("<meta name=\"decorator\" content=\"atl.admin\">"));
    assertTrue(html.contains("<meta name=\"seatwarden-api-base\" content=\"/jira/plugins/servlet/seatwarden/\">"), html);
    assertTrue(html.contains("<meta name=\"admin.active.section\" content=\"admin_users_menu/users_groups_section\">"));
    assertTrue(html.contains("<meta name=\"admin.active.tab\" content=\"seatwarden-admin-link-jira\">"), html);
    assertFalse(html.contains("selectedWebItem"), html);
    assertEquals("console.log(1);\n", send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/app.js")).text());
  }

  @Test
  void hashedAssetsAreCachedForeverThePageRevalidatesAndNoSourceMapIsServed() throws Exception {
    FakeHttp.Response page = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/"));
    assertEquals("no-cache", page.header("Cache-Control"));
    FakeHttp.Response hashed =
        send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/app-ABCD2345.js"));
    assertEquals(200, hashed.status);
    assertEquals("public, max-age=31536000, immutable", hashed.header("Cache-Control"));
    FakeHttp.Response plain = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/app.js"));
    assertEquals("no-cache", plain.header("Cache-Control"));
    assertEquals(
        404, send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/app-ABCD2345.js.map")).status);
  }

  @Test
  void confluencePageSelectsItsConfigurationSectionAndWebItem() throws Exception {
    product = "confluence";
    String html = send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/")).text();
    assertTrue(html.contains("<meta name=\"admin.active.section\" content=\"system.admin/configuration\">"), html);
    assertTrue(html.contains("<meta name=\"admin.active.tab\" content=\"seatwarden-admin-link-confluence\">"), html);
    assertTrue(
        html.contains("<content tag=\"selectedWebItem\">seatwarden-admin-link-confluence</content>\n</head>"),
        html);
  }

  /** The highlighted entries are the descriptor's own web items, in the right product and section. */
  @Test
  void activeTabsAreTheDescriptorsWebItems() throws Exception {
    String descriptor;
    try (java.io.InputStream in =
        AdminPages.class.getClassLoader().getResourceAsStream("atlassian-plugin.xml")) {
      descriptor = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (AdminChrome chrome : List.of(AdminChrome.JIRA, AdminChrome.CONFLUENCE)) {
      String item =
          "<web-item key=\""
              + chrome.activeTab()
              + "\" name=\"Seatwarden\" section=\""
              + chrome.activeSection()
              + "\"";
      assertTrue(descriptor.contains(item), item);
    }
    assertEquals(AdminChrome.CONFLUENCE, AdminChrome.forProduct("confluence"));
    assertEquals(AdminChrome.JIRA, AdminChrome.forProduct("jira"));
  }

  @Test
  void loginRedirectCarriesTheFullRequestUrlWithItsContextPath() throws Exception {
    sal.user = null;
    FakeHttp.Request request = new FakeHttp.Request().path(AdminPages.BASE_PATH + "/");
    request.query = "tab=audit";
    FakeHttp.Response page = send(request);
    assertEquals(302, page.status);
    // The whole URL, once: SAL resolves it against the base URL, which holds /jira already.
    assertEquals(
        "/jira/login.jsp?os_destination=https://jira.example.test/jira/plugins/servlet/seatwarden/?tab=audit",
        page.redirect);
  }

  @Test
  void webSudoIsRefreshedByPagesAndChangesButNotByPolling() throws Exception {
    assertEquals(200, send(api("GET", "runs/1")).status);
    assertEquals(200, send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/session")).status);
    assertEquals(0, sal.webSudoRefreshes, "reads must not keep the secure session alive");
    assertEquals(200, send(new FakeHttp.Request().path(AdminPages.BASE_PATH + "/")).status);
    assertEquals(1, sal.webSudoRefreshes, "a page load refreshes it");
    assertEquals(200, send(api("POST", "runs").header("X-Seatwarden-XSRF", TOKEN).body("application/json", "{}")).status);
    assertEquals(2, sal.webSudoRefreshes, "a state-changing call refreshes it");
    // Once expired, reads are refused all the same.
    sal.webSudo = false;
    assertEquals(401, send(api("GET", "runs/1")).status);
  }

  @Test
  void aFailedStartIsShownWithItsReasonInsteadOfStarting() throws Exception {
    current = Optional.empty();
    failure =
        Optional.of(
            new StartFailure(
                "glibc_too_old",
                "cannot load the native library: the node's C library (glibc) is older than the"
                    + " native library needs (version `GLIBC_2.34' not found)",
                5L));
    FakeHttp.Response response = send(api("GET", "me"));
    assertEquals(503, response.status);
    assertTrue(response.text().contains("\"kind\":\"glibc_too_old\""), response.text());
    assertTrue(response.text().contains("could not start on this node"), response.text());
    assertTrue(response.text().contains("GLIBC_2.34"), response.text());
    assertFalse(response.text().contains("starting or stopping"), response.text());
  }

  @Test
  void withoutTrailingSlashRedirectsAndUnknownOrUnsafeAssetsAre404() throws Exception {
    FakeHttp.Response bare = send(new FakeHttp.Request().path(AdminPages.BASE_PATH));
    assertEquals(302, bare.status);
    assertEquals("/jira/plugins/servlet/seatwarden/", bare.redirect);
    for (String path : List.of("/nope.js", "/../atlassian-plugin.xml", "/ui/index.html", "/index.exe", "/%2e%2e/x.js")) {
      assertEquals(404, send(new FakeHttp.Request().path(AdminPages.BASE_PATH + path)).status, path);
    }
    assertEquals(405, send(new FakeHttp.Request().method("POST").path(AdminPages.BASE_PATH + "/app.js")).status);
  }

  @Test
  void jsonEscapingKeepsMarkupOut() {
    assertEquals("a\\\"b\\\\c\\u003cd", AdminPages.jsonEscape("a\"b\\c<d"));
    assertFalse(AdminPages.jsonEscape("</script>").contains("<"));
  }
}
