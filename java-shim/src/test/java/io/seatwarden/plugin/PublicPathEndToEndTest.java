package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.ApiResponse;
import io.seatwarden.bridge.PublicRequest;
import io.seatwarden.bridge.RecordStore.StoredRecord;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.store.AoRecordStore;
import io.seatwarden.store.FakeActiveObjects;
import io.seatwarden.store.FakeClusterLockService;
import io.seatwarden.web.AdminPages;
import io.seatwarden.web.AdminServlet;
import io.seatwarden.web.FakeHttp;
import io.seatwarden.web.FakeSal;
import io.seatwarden.web.PublicPages;
import io.seatwarden.web.PublicServlet;
import io.seatwarden.web.ServletApi;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anonymous "I still need access" path through the real native library (issue 21): the
 * plugin's {@link PublicServlet} over the engine the plugin loaded (JNI {@code servicePublic}) and
 * the Active Objects store. A link signed with the installation's secret opens the page, the
 * request is recorded and the admin sees it; and nothing else answers without an administrator,
 * neither through the servlet nor through {@code servicePublic} itself.
 *
 * <p>The link is signed here the way the engine signs one (HMAC-SHA256 of the claims' JSON with the
 * secret the engine claimed in the store), because the plugin's mail goes through the product's
 * mail server, which this test does not have; the engine's own signing is covered by the Rust
 * tests ({@code access::link::tests}).
 */
class PublicPathEndToEndTest {

  static final long DAY0 = PluginEndToEndTest.DAY0;
  static final long DAY = 86_400_000L;

  @TempDir java.nio.file.Path localHome;

  private static FakeHttp.Response send(Object servlet, FakeHttp.Request request) throws Exception {
    FakeHttp.Response response = new FakeHttp.Response();
    if (servlet instanceof AdminServlet a) {
      ServletApi.service(a, request.build(), response.build());
    } else {
      ServletApi.service((PublicServlet) servlet, request.build(), response.build());
    }
    return response;
  }

  private static FakeHttp.Request api(String method, String path) {
    return new FakeHttp.Request().method(method).path(AdminPages.BASE_PATH + "/api/" + path);
  }

  private static FakeHttp.Request pub(String method, String path) {
    return new FakeHttp.Request().method(method).path(PublicPages.BASE_PATH + path);
  }

  private static String first(String regex, String text) {
    Matcher m = Pattern.compile(regex).matcher(text);
    assertTrue(m.find(), regex + " in " + text);
    return m.group(1);
  }

  /** A link token as the engine makes one: hex(claims JSON) "." hex(HMAC-SHA256(secret, claims)). */
  private static String sign(String secret, String claimsJson) throws Exception {
    byte[] payload = claimsJson.getBytes(StandardCharsets.UTF_8);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    HexFormat hex = HexFormat.of();
    return hex.formatHex(payload) + "." + hex.formatHex(mac.doFinal(payload));
  }

  @Test
  void aSignedLinkOpensThePageAndRecordsTheRequestAndNothingElseIsAnonymous() throws Exception {
    PluginEndToEndTest.Factory.host = PluginEndToEndTest.directory();
    FakeActiveObjects ao = new FakeActiveObjects();
    FakeClusterLockService locks = new FakeClusterLockService();
    SeatwardenPlugin plugin =
        PluginEndToEndTest.plugin(
            ao,
            locks,
            new SeatwardenPluginTest.FakeEvents(),
            new SeatwardenPluginTest.FakeScheduler(),
            localHome);
    plugin.onStart();
    try {
      FakeSal sal = new FakeSal();
      sal.user = new com.atlassian.sal.api.user.UserKey("K-admin");
      AdminServlet admin = sal.servlet(plugin);
      PublicServlet anonymous = new PublicServlet(plugin);

      // A live policy whose warnings offer links that exempt for 30 days.
      FakeHttp.Response policies = send(admin, api("GET", "policies"));
      assertEquals(200, policies.status, policies.text());
      String version = first("\"configVersion\":(\\d+)", policies.text());
      String policy =
          "{\"configVersion\":" + version + ",\"name\":\"Idle 90\",\"mode\":\"live\","
              + "\"trigger\":{\"kind\":\"scheduler\"},\"condition\":{\"kind\":\"inactive\",\"days\":90},"
              + "\"action\":{\"kind\":\"deactivate\"},\"warning\":{\"daysBefore\":7,"
              + "\"accessRequest\":{\"onRequest\":{\"kind\":\"exempt\",\"days\":30},\"linkDays\":14}}}";
      FakeHttp.Response created =
          send(
              admin,
              api("POST", "policies")
                  .header("X-Seatwarden-XSRF", FakeSal.TOKEN)
                  .body("application/json", policy));
      assertEquals(201, created.status, created.text());
      // Keys are sorted: the first `id` is the policy's.
      String policyId = first("\"id\":\"([^\"]+)\"", created.text());

      // A forged link gets the neutral page (and makes the engine claim its signing secret).
      FakeHttp.Request forged = pub("GET", "/access/request");
      forged.query = "t=00.00";
      FakeHttp.Response neutral = send(anonymous, forged);
      assertEquals(200, neutral.status, neutral.text());
      assertTrue(neutral.text().contains("This link cannot be used"), neutral.text());

      // The secret the engine keeps in the Active Objects store, as every node reads it.
      StoredRecord row =
          new AoRecordStore(ao, locks)
              .get("leases", "marker:secret:access-links")
              .orElseThrow(() -> new AssertionError("no signing secret in the store"));
      String secret = first("\"value\":\"([0-9a-f]{64})\"", row.body());
      // Valid for 14 days from the plugin's clock, long past by the wall clock: the page reads
      // the plugin's clock (SeatwardenOpener hands it to the engine), as the plugin's jobs do.
      long expires = DAY0 + 14 * DAY;
      String token =
          sign(
              secret,
              "{\"u\":\"K-idle\",\"p\":\"" + policyId + "\",\"c\":" + (DAY0 - 200 * DAY)
                  + ",\"x\":\"keepAccess\",\"e\":" + expires + ",\"n\":\"0123abcd\"}");

      FakeHttp.Request open = pub("GET", "/access/request");
      open.query = "t=" + token;
      FakeHttp.Response page = send(anonymous, open);
      assertEquals(200, page.status, page.text());
      String refusals = send(admin, api("GET", "audit?action=access_requested")).text();
      assertTrue(page.text().contains("leave it alone for 30 day(s)"), page.text() + refusals);
      assertTrue(page.text().contains("name=\"reason\""), page.text());
      assertTrue(!page.text().contains("K-idle"), "the page names nobody: " + page.text());

      FakeHttp.Request submit = pub("POST", "/access/request");
      submit.body(
          "application/x-www-form-urlencoded",
          "t=" + token + "&reason=" + URLEncoder.encode("I run the audit", StandardCharsets.UTF_8));
      FakeHttp.Response thanks = send(anonymous, submit);
      assertEquals(200, thanks.status, thanks.text());
      assertTrue(thanks.text().contains("Thank you"), thanks.text());

      FakeHttp.Response listed = send(admin, api("GET", "access/requests"));
      assertEquals(200, listed.status, listed.text());
      assertTrue(listed.text().contains("\"user\":\"K-idle\""), listed.text());
      assertTrue(listed.text().contains("\"reason\":\"I run the audit\""), listed.text());
      assertTrue(listed.text().contains("\"status\":\"exempted\""), listed.text());

      // Replayed: the neutral page, nothing new.
      FakeHttp.Response replay = send(anonymous, submit);
      assertTrue(replay.text().contains("This link cannot be used"), replay.text());

      // Nothing else is anonymous. Through the servlet, another path never reaches the engine...
      for (String path : List.of("/api/access/requests", "/api/settings", "/access/request/x")) {
        assertEquals(404, send(anonymous, pub("GET", path)).status, path);
      }
      // ...and the engine's public entry itself answers only its two routes.
      Seatwarden engine = plugin.engine().orElseThrow();
      for (String path : List.of("/api/access/requests", "/api/settings", "/api/users", "/")) {
        ApiResponse r =
            engine.handlePublic(
                new PublicRequest("GET", path, List.of(), List.of(), new byte[0], "192.0.2.10"));
        assertEquals(404, r.status(), path);
        assertTrue(!new String(r.body(), StandardCharsets.UTF_8).contains("K-idle"), path);
      }
      // The admin API with nobody signed in is refused.
      sal.user = null;
      FakeHttp.Response nobody = send(sal.servlet(plugin), api("GET", "access/requests"));
      assertNotEquals(200, nobody.status, nobody.text());
      assertTrue(!nobody.text().contains("K-idle"), nobody.text());
    } finally {
      plugin.onStop();
    }
  }
}
