package io.seatwarden.web;

import io.seatwarden.bridge.ApiRequest;
import io.seatwarden.bridge.ApiResponse;
import io.seatwarden.bridge.PublicRequest;
import io.seatwarden.bridge.Seatwarden;
import io.seatwarden.bridge.SeatwardenException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Everything {@code /plugins/servlet/seatwarden-public/*} does: the only paths of the plugin that
 * answer without a signed-in administrator (docs/access-requests.md). Exactly two requests get
 * through to the engine, {@code /access/request} (the "I still need access" page a warning links
 * to) and {@code /hooks/access/{id}} (a service-desk webhook call); everything else under the path
 * is a 404 without touching the engine.
 *
 * <p>Why a servlet of its own rather than an exception inside {@code AdminPages}: the admin
 * servlet's promise ("every path demands a system administrator") then stays true without
 * exceptions, and the descriptor test can prove that this servlet's patterns are the only anonymous
 * ones. No session, user, XSRF token or WebSudo is read here: the engine authenticates each request
 * by its signed link or the HMAC of its body, rate-limits it and audits it. Nothing here decides
 * anything else.
 */
public final class PublicPages {

  /** Where the servlet is mapped, below the context path. */
  public static final String BASE_PATH = "/plugins/servlet/seatwarden-public";

  /** The largest body read: a one-line form or a webhook event (the engine's limit too). */
  static final int MAX_BODY_BYTES = 64 * 1024;

  /** The only request headers passed on (lower case): the webhook's and the form's. */
  private static final List<String> HEADERS =
      List.of(
          "x-seatwarden-signature",
          "x-seatwarden-timestamp",
          "x-seatwarden-token",
          "content-type");

  private final AdminBackend backend;

  public PublicPages(AdminBackend backend) {
    this.backend = backend;
  }

  /** The path below {@link #BASE_PATH} if it is one of the two anonymous routes, else null. */
  static String route(String contextPath, String requestUri) {
    if (requestUri == null) {
      return null;
    }
    String prefix = (contextPath == null ? "" : contextPath) + BASE_PATH;
    if (!requestUri.startsWith(prefix)) {
      return null;
    }
    String path = requestUri.substring(prefix.length());
    if (path.equals("/access/request")) {
      return path;
    }
    String hooks = "/hooks/access/";
    if (path.startsWith(hooks)) {
      String id = path.substring(hooks.length());
      // A hook id is hex; anything else (a second segment, an escape, a dot) is not a hook.
      if (!id.isEmpty() && id.length() <= 64 && id.chars().allMatch(PublicPages::isIdChar)) {
        return path;
      }
    }
    return null;
  }

  private static boolean isIdChar(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** Answers one anonymous request. */
  public void serve(AdminExchange http) throws IOException {
    http.setHeader("Cache-Control", "no-store");
    http.setHeader("X-Content-Type-Options", "nosniff");
    String path = route(http.contextPath(), http.requestUri());
    if (path == null) {
      text(http, 404, "Not found.");
      return;
    }
    Optional<Seatwarden> engine = backend.engine();
    if (engine.isEmpty()) {
      text(http, 503, "Seatwarden is starting or stopped. Try again in a minute.");
      return;
    }
    byte[] body = AdminPages.readBody(http, MAX_BODY_BYTES);
    if (body == null) {
      text(http, 413, "The request is larger than " + MAX_BODY_BYTES + " bytes.");
      return;
    }
    List<ApiResponse.Header> headers = new ArrayList<>();
    for (String name : HEADERS) {
      // The container keeps the content type apart from the other headers.
      String value = name.equals("content-type") ? http.contentType() : http.header(name);
      if (value != null) {
        headers.add(new ApiResponse.Header(name, value));
      }
    }
    List<ApiRequest.Param> query = AdminPages.query(http.queryString());
    PublicRequest request =
        new PublicRequest(
            http.method().toUpperCase(Locale.ROOT), path, query, headers, body, http.remoteAddr());
    ApiResponse response;
    try {
      response = engine.get().handlePublic(request);
    } catch (SeatwardenException | IllegalStateException e) {
      // The engine closed under us or its store did not answer: nothing was done.
      text(http, 503, "Seatwarden could not answer. Try again in a minute.");
      return;
    }
    http.status(response.status());
    http.contentType(response.contentType());
    for (ApiResponse.Header h : response.headers()) {
      http.setHeader(h.name(), h.value());
    }
    http.contentLength(response.body().length);
    http.output().write(response.body());
  }

  private static void text(AdminExchange http, int status, String message) throws IOException {
    byte[] body = UiAssets.utf8(message + "\n");
    http.status(status);
    http.contentType("text/plain;charset=UTF-8");
    http.contentLength(body.length);
    http.output().write(body);
  }
}
