package io.seatwarden.web;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.ApiRequest;
import io.seatwarden.bridge.ApiResponse;
import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.PublicRequest;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.plugin.FakeSeatwarden;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The plugin's anonymous surface (issue 21): the descriptor maps exactly two anonymous paths to
 * {@link PublicServlet}, every other module that serves requests is the admin servlet (which
 * demands a system administrator, see {@link AdminServletTest}), and the public servlet passes
 * exactly those two routes, bounded, to the engine.
 */
public class PublicServletTest {

  private final FakeSeatwarden engine = new FakeSeatwarden(null);
  private Optional<Seatwarden> current = Optional.of(engine);
  private final AdminBackend backend =
      new AdminBackend() {
        @Override
        public Optional<Seatwarden> engine() {
          return current;
        }

        @Override
        public void workQueued() {}

        @Override
        public Optional<String> product() {
          return Optional.of("jira");
        }
      };
  private final PublicServlet servlet = new PublicServlet(backend);

  private FakeHttp.Response send(FakeHttp.Request request) throws Exception {
    FakeHttp.Response response = new FakeHttp.Response();
    ServletApi.service(servlet, request.build(), response.build());
    return response;
  }

  private static FakeHttp.Request at(String method, String path) {
    return new FakeHttp.Request().method(method).path(PublicPages.BASE_PATH + path);
  }

  private static Document descriptor() throws Exception {
    try (InputStream in =
        PublicServletTest.class.getClassLoader().getResourceAsStream("atlassian-plugin.xml")) {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(in);
    }
  }

  private static List<String> patterns(Element module) {
    List<String> out = new ArrayList<>();
    NodeList nodes = module.getElementsByTagName("url-pattern");
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add(nodes.item(i).getTextContent().trim());
    }
    return out;
  }

  /**
   * Every module of the descriptor that answers HTTP requests, by key: its class and patterns. A
   * new servlet, REST resource or servlet filter that serves a page must be added here on purpose.
   */
  @Test
  void onlyThePublicServletsTwoPathsAreAnonymous() throws Exception {
    Element root = descriptor().getDocumentElement();
    Map<String, List<String>> servlets = new LinkedHashMap<>();
    List<String> others = new ArrayList<>();
    NodeList children = root.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      Node n = children.item(i);
      if (!(n instanceof Element e)) {
        continue;
      }
      switch (e.getTagName()) {
        case "servlet" -> servlets.put(e.getAttribute("class"), patterns(e));
        // Request-serving module types other than servlets: none may exist.
        case "rest", "rest-migration", "servlet-context-listener", "web-resource-transformer",
            "webwork1", "xwork", "routing" -> others.add(e.getTagName() + " " + e.getAttribute("key"));
        default -> {}
      }
    }
    assertEquals(List.of(), others, "modules serving requests besides the two servlets");
    assertEquals(
        Map.of(
            "io.seatwarden.web.AdminServlet",
            List.of("/seatwarden", "/seatwarden/*"),
            "io.seatwarden.web.PublicServlet",
            List.of("/seatwarden-public/access/request", "/seatwarden-public/hooks/access/*")),
        servlets);
    // The anonymous patterns are outside the admin servlet's (a servlet path is matched whole).
    for (String p : servlets.get("io.seatwarden.web.PublicServlet")) {
      assertTrue(!p.equals("/seatwarden") && !p.startsWith("/seatwarden/"), p);
    }
  }

  @Test
  void thePageAndAHookCallReachTheEngineWithOnlyTheirHeaders() throws Exception {
    FakeHttp.Request page = at("GET", "/access/request");
    page.query = "t=ab12.cd%2B34";
    page.header("Cookie", "JSESSIONID=secret");
    FakeHttp.Response shown = send(page);
    assertEquals(200, shown.status);
    assertEquals("<p>ok</p>", shown.text());
    PublicRequest seen = engine.publicRequests.get(0);
    assertEquals("GET", seen.method());
    assertEquals("/access/request", seen.path());
    assertEquals(List.of(new ApiRequest.Param("t", "ab12.cd+34")), seen.query());
    assertEquals(List.of(), seen.headers(), "no cookie, no session reaches the engine");
    assertEquals("192.0.2.10", seen.clientIp());

    FakeHttp.Request call = at("POST", "/hooks/access/0a1b2c3d4e5f6789");
    call.body("application/json", "{\"eventId\":\"IT-1\"}");
    call.header("X-Seatwarden-Signature", "sha256=00");
    call.header("X-Seatwarden-Timestamp", "1700000000");
    call.header("Authorization", "Basic eDp5");
    engine.onHandlePublic =
        r ->
            new ApiResponse(
                401,
                "application/json",
                List.of(new ApiResponse.Header("Retry-After", "60")),
                "{}".getBytes(StandardCharsets.UTF_8));
    FakeHttp.Response refused = send(call);
    assertEquals(401, refused.status);
    assertEquals("60", refused.header("Retry-After"));
    PublicRequest hook = engine.publicRequests.get(1);
    assertEquals("/hooks/access/0a1b2c3d4e5f6789", hook.path());
    assertArrayEquals("{\"eventId\":\"IT-1\"}".getBytes(StandardCharsets.UTF_8), hook.body());
    assertEquals(
        List.of(
            new ApiResponse.Header("x-seatwarden-signature", "sha256=00"),
            new ApiResponse.Header("x-seatwarden-timestamp", "1700000000"),
            new ApiResponse.Header("content-type", "application/json")),
        hook.headers());
  }

  @Test
  void otherPathsAndOversizedBodiesNeverReachTheEngine() throws Exception {
    for (String path :
        List.of(
            "/",
            "/api/users",
            "/access/request/x",
            "/hooks/access/",
            "/hooks/access/a/b",
            "/hooks/access/..%2Fapi",
            "/hooks/access/a.b")) {
      FakeHttp.Response r = send(at("POST", path));
      assertEquals(404, r.status, path);
    }
    FakeHttp.Request big = at("POST", "/hooks/access/abc");
    big.body = new byte[PublicPages.MAX_BODY_BYTES + 1];
    FakeHttp.Response tooBig = send(big);
    assertEquals(413, tooBig.status);
    assertEquals(0, big.bodyReads, "the declared length is enough to refuse");
    assertEquals(List.of(), engine.publicRequests);
  }

  @Test
  void aStoppedOrClosingEngineIsAPlain503() throws Exception {
    current = Optional.empty();
    assertEquals(503, send(at("GET", "/access/request")).status);
    current = Optional.of(engine);
    engine.onHandlePublic =
        r -> {
          throw new EngineClosedException("closed");
        };
    FakeHttp.Response r = send(at("GET", "/access/request"));
    assertEquals(503, r.status);
    assertNull(r.header("Retry-After"));
  }
}
