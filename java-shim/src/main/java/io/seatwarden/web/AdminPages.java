package io.seatwarden.web;

import com.atlassian.sal.api.auth.LoginUriProvider;
import com.atlassian.sal.api.user.UserKey;
import com.atlassian.sal.api.user.UserManager;
import com.atlassian.sal.api.websudo.WebSudoSessionException;
import io.seatwarden.bridge.ApiRequest;
import io.seatwarden.bridge.ApiResponse;
import io.seatwarden.bridge.EngineClosedException;
import io.seatwarden.bridge.ResponseSink;
import io.seatwarden.bridge.Seatwarden;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * {@code /plugins/servlet/seatwarden/*}: the admin UI and its API, for system administrators only.
 *
 * <p>Every request passes, in order: signed in (else the product's login page, or 401 for the
 * API), system administrator (SAL {@code UserManager.isSystemAdmin}, else 403), a secure
 * administrator session (WebSudo: the product's password prompt for pages, 401 for the API), and
 * for state-changing methods the XSRF token (the {@code X-Seatwarden-XSRF} header must equal the
 * session's SAL token, which {@code GET session} hands the UI; else 403). Only then does an API
 * request reach {@link Seatwarden#handle}, with what was verified in its context. The built UI is
 * served from the jar with the product's admin decorator.
 *
 * <p>This is the servlet's whole behaviour, written once for both platforms against {@link
 * AdminExchange}; {@code AdminServlet} (in {@code src/javax}, compiled for each platform's servlet
 * API) only adapts the servlet API to it.
 */
public final class AdminPages {

  /** Where the product mounts this servlet, below the context path. */
  public static final String BASE_PATH = "/plugins/servlet/seatwarden";

  /** The header the UI echoes the XSRF token in. */
  static final String XSRF_HEADER = "X-Seatwarden-XSRF";

  /** The largest request body accepted (CSV imports). */
  static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private final UserManager users;
  private final LoginUriProvider loginUris;
  private final AdminBackend backend;
  private final UiAssets assets;

  /** The pages over the plugin's backend, with the UI's assets from {@code assetLoader}. */
  public AdminPages(
      UserManager users, LoginUriProvider loginUris, AdminBackend backend, ClassLoader assetLoader) {
    this.users = Objects.requireNonNull(users, "users");
    this.loginUris = Objects.requireNonNull(loginUris, "loginUris");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.assets = new UiAssets(Objects.requireNonNull(assetLoader, "assetLoader"));
  }

  /** Answers one request. */
  public void serve(AdminExchange http) throws IOException {
    String prefix = http.contextPath() + BASE_PATH;
    String uri = http.requestUri();
    if (uri == null || !uri.startsWith(prefix)) {
      sendError(http, 404, "not_found", "no such page");
      return;
    }
    String path = uri.substring(prefix.length());
    if (path.isEmpty()) {
      // Relative asset and API URLs need the trailing slash.
      http.redirect(prefix + "/");
      return;
    }
    boolean api = path.startsWith("/api/") || path.equals("/session");
    boolean changesState =
        !SAFE_METHODS.contains(http.method().toUpperCase(Locale.ROOT));

    UserKey user = http.remoteUser();
    if (user == null) {
      if (api) {
        sendError(http, 401, "unauthenticated", "sign in to the product first");
      } else {
        http.redirect(loginUris.getLoginUri(http.fullUri()).toASCIIString());
      }
      return;
    }
    if (!users.isSystemAdmin(user)) {
      sendError(http, 403, "forbidden", "Seatwarden is for system administrators only");
      return;
    }
    if (!webSudo(http, api, changesState)) {
      return;
    }
    if (path.equals("/session")) {
      session(http);
    } else if (api) {
      api(http, user, path);
    } else {
      asset(http, path, prefix + "/");
    }
  }

  /**
   * WebSudo: true when the request may go on; otherwise the response is already written.
   *
   * <p>{@code willExecuteWebSudoRequest} marks the request as a WebSudo one, which restarts the
   * secure session's idle timer. Only page loads and state-changing calls do that: the UI polls
   * progress with GETs, and if those refreshed it, an open tab would keep the secure session alive
   * for ever and WebSudo would never ask again. Reads are still refused once it has expired.
   */
  private static boolean webSudo(AdminExchange http, boolean api, boolean changesState)
      throws IOException {
    try {
      if (http.webSudoAllows()) {
        if (!api || changesState) {
          http.webSudoRefresh();
        }
        return true;
      }
    } catch (WebSudoSessionException expired) {
      // fall through: ask for the password again
    }
    if (api) {
      sendError(
          http,
          401,
          "websudo_required",
          "confirm your administrator password: reload the page");
    } else {
      http.webSudoEnforce();
    }
    return false;
  }

  /** {@code GET session}: the XSRF token the UI echoes on every state-changing call. */
  private static void session(AdminExchange http) throws IOException {
    String method = http.method().toUpperCase(Locale.ROOT);
    if (method.equals("DELETE")) {
      // Signing out is the product's business: nothing to end here.
      http.status(204);
      return;
    }
    if (!method.equals("GET")) {
      sendError(http, 405, "method_not_allowed", "the product owns the session");
      return;
    }
    String token = http.xsrfToken(true);
    write(
        http,
        200,
        "application/json;charset=UTF-8",
        UiAssets.utf8("{\"xsrfToken\":\"" + jsonEscape(token == null ? "" : token) + "\"}"));
  }

  private void api(AdminExchange http, UserKey user, String path) throws IOException {
    String method = http.method().toUpperCase(Locale.ROOT);
    boolean changesState = !SAFE_METHODS.contains(method);
    boolean xsrfVerified = xsrfVerified(http);
    if (changesState && !xsrfVerified) {
      sendError(http, 403, "xsrf", "the request's XSRF token is missing or wrong: reload the page");
      return;
    }
    Optional<Seatwarden> engine = backend.engine();
    if (engine.isEmpty()) {
      Optional<StartFailure> failed = backend.startFailure();
      if (failed.isPresent()) {
        // The UI shows the message; "starting" would never end.
        sendError(
            http,
            503,
            failed.get().reason(),
            "Seatwarden could not start on this node: " + failed.get().message());
      } else {
        sendError(http, 503, "unavailable", "Seatwarden is starting or stopping");
      }
      return;
    }
    byte[] body = readBody(http, MAX_BODY_BYTES);
    if (body == null) {
      sendError(http, 413, "too_large", "the request body is over " + MAX_BODY_BYTES + " bytes");
      return;
    }
    ApiRequest apiRequest =
        new ApiRequest(
            method,
            path,
            query(http.queryString()),
            body,
            new ApiRequest.Context(
                user.getStringValue(), true, http.remoteAddr(), xsrfVerified, true));
    Optional<ApiResponse> whole;
    try {
      // A read may be an export: streamed to the browser as the engine writes it (a 1M-user
      // users export is ~170 MB, never held whole in the heap). A broken stream throws out of
      // the servlet, so the container aborts the response instead of ending a truncated file.
      whole =
          changesState
              ? Optional.of(engine.get().handle(apiRequest))
              : engine.get().handleStreamed(apiRequest, new ExchangeSink(http));
    } catch (EngineClosedException stopping) {
      sendError(http, 503, "unavailable", "Seatwarden is stopping");
      return;
    }
    if (changesState) {
      backend.workQueued();
    }
    if (whole.isEmpty()) {
      return;
    }
    ApiResponse answer = whole.get();
    http.setHeader("Cache-Control", "no-store");
    for (ApiResponse.Header header : answer.headers()) {
      http.addHeader(header.name(), header.value());
    }
    write(http, answer.status(), answer.contentType(), answer.body());
  }

  /** A streamed answer written to the servlet response (no length: the container chunks it). */
  private static final class ExchangeSink implements ResponseSink {
    private final AdminExchange http;
    private OutputStream out;

    ExchangeSink(AdminExchange http) {
      this.http = http;
    }

    @Override
    public void head(int status, String contentType, List<ApiResponse.Header> headers)
        throws IOException {
      http.setHeader("Cache-Control", "no-store");
      for (ApiResponse.Header header : headers) {
        http.addHeader(header.name(), header.value());
      }
      http.status(status);
      http.contentType(contentType);
      out = http.output();
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
    }
  }

  /**
   * The session's SAL XSRF token came back in the header (or, for requests without a form body,
   * as SAL's own {@code atl_token} parameter).
   */
  private static boolean xsrfVerified(AdminExchange http) {
    String sent = http.header(XSRF_HEADER);
    if (sent != null && !sent.isEmpty()) {
      String expected = http.xsrfToken(false);
      return expected != null
          && !expected.isEmpty()
          && MessageDigest.isEqual(
              sent.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
    String contentType = http.contentType();
    boolean formBody =
        contentType != null
            && (contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")
                || contentType.toLowerCase(Locale.ROOT).startsWith("multipart/"));
    // SAL reads the token with getParameter, which would consume a form body the engine needs.
    return !formBody && http.formTokenValid();
  }

  private void asset(AdminExchange http, String path, String apiBase) throws IOException {
    String method = http.method().toUpperCase(Locale.ROOT);
    if (!method.equals("GET") && !method.equals("HEAD")) {
      sendError(http, 405, "method_not_allowed", "pages are read-only");
      return;
    }
    String name = path.equals("/") ? "index.html" : path.substring(1);
    // A source map would publish the sources: never served (the build writes none).
    Optional<UiAssets.Asset> asset =
        name.endsWith(".map") ? Optional.empty() : assets.find(name);
    if (asset.isEmpty()) {
      sendError(http, 404, "not_found", "no such page");
      return;
    }
    byte[] body = asset.get().body();
    if (name.equals("index.html")) {
      AdminChrome chrome = AdminChrome.forProduct(backend.product().orElse(""));
      body =
          UiAssets.utf8(UiAssets.page(new String(body, StandardCharsets.UTF_8), apiBase, chrome));
    }
    http.setHeader("Cache-Control", cacheControl(name));
    http.setHeader("X-Content-Type-Options", "nosniff");
    write(http, 200, asset.get().contentType(), method.equals("HEAD") ? new byte[0] : body);
  }

  /** A name the UI build gives a file after its content: {@code <stem>-<8+ of A-Z0-9>.<ext>}. */
  private static final java.util.regex.Pattern HASHED =
      java.util.regex.Pattern.compile("(?:.*/)?[^/]*-[A-Z0-9]{8,}\\.[A-Za-z0-9]+");

  /**
   * How a browser may cache a UI file: a content-hashed name forever (an upgrade changes the
   * names the page refers to), the page itself and everything else revalidated on each use.
   */
  static String cacheControl(String name) {
    return !name.equals("index.html") && HASHED.matcher(name).matches()
        ? "public, max-age=31536000, immutable"
        : "no-cache";
  }

  /** The body, or null when it is over {@code limit} bytes (read no further than that). */
  static byte[] readBody(AdminExchange http, int limit) throws IOException {
    if (http.contentLength() > limit) {
      return null;
    }
    try (InputStream in = http.body()) {
      if (in == null) {
        return new byte[0];
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buffer = new byte[16 * 1024];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (out.size() + n > limit) {
          return null;
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    }
  }

  /** The query string's parameters in order (a name may repeat), decoded as UTF-8. */
  static List<ApiRequest.Param> query(String queryString) {
    List<ApiRequest.Param> params = new ArrayList<>();
    if (queryString == null || queryString.isEmpty()) {
      return params;
    }
    for (String pair : queryString.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        params.add(
            new ApiRequest.Param(
                URLDecoder.decode(name, StandardCharsets.UTF_8),
                URLDecoder.decode(value, StandardCharsets.UTF_8)));
      } catch (IllegalArgumentException malformed) {
        params.add(new ApiRequest.Param(name, value));
      }
    }
    return params;
  }

  private static void sendError(AdminExchange http, int status, String kind, String message)
      throws IOException {
    http.setHeader("Cache-Control", "no-store");
    write(
        http,
        status,
        "application/json;charset=UTF-8",
        UiAssets.utf8(
            "{\"error\":{\"kind\":\""
                + jsonEscape(kind)
                + "\",\"message\":\""
                + jsonEscape(message)
                + "\"}}"));
  }

  private static void write(AdminExchange http, int status, String contentType, byte[] body)
      throws IOException {
    http.status(status);
    http.contentType(contentType);
    http.contentLength(body.length);
    http.output().write(body);
  }

  static String jsonEscape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }
}
