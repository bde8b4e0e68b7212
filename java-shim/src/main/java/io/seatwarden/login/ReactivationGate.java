package io.seatwarden.login;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * What the {@code before-login} servlet filter does: sees credentials on their way to the
 * product's login and lets {@link Reactivation} give a returning person's account back first.
 *
 * <p>It acts on a login form post (a configured path, {@code os_username} and {@code
 * os_password}), on a JSON login post ({@code {"username", "password"}}, Jira's REST session; the
 * body is read up to {@link #MAX_JSON_BODY} bytes and handed on byte for byte) and, only if
 * configured, on HTTP Basic credentials; never on remember-me cookies, tokens or SSO. It never
 * answers the request, never creates a session and never sets a user for it: the request always
 * continues down the chain exactly once, and the product authenticates it as it would have. Init
 * parameters: {@code login-paths} and {@code json-login-paths} (comma-separated, relative to the
 * context) and {@code basic-auth} ({@code true} to act on Basic credentials; default off).
 *
 * <p>Written once for both platforms against {@link LoginRequest}; {@code ReactivationFilter} (in
 * {@code src/javax}, compiled for each platform's servlet API) adapts the servlet API to it, runs
 * the chain and holds the {@link VerifiedLogin} scope (docs/plugin.md, "Two jars").
 */
public final class ReactivationGate {

  /** The Seraph form parameter names both products use. */
  static final String USERNAME_PARAM = "os_username";

  static final String PASSWORD_PARAM = "os_password";

  /** The most of a JSON login body the filter reads (the rest is passed on unread). */
  static final int MAX_JSON_BODY = 16 * 1024;

  private final ReactivationSource source;
  private volatile Set<String> loginPaths = Set.of();
  private volatile Set<String> jsonLoginPaths = Set.of();
  private volatile boolean basicAuth;

  /** A gate over the running plugin's reactivation. */
  public ReactivationGate(ReactivationSource source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  /** Reads the filter's init parameters ({@code FilterConfig.getInitParameter}). */
  public void configure(UnaryOperator<String> initParameter) {
    loginPaths = paths(initParameter.apply("login-paths"));
    jsonLoginPaths = paths(initParameter.apply("json-login-paths"));
    basicAuth = Boolean.parseBoolean(initParameter.apply("basic-auth"));
  }

  private static Set<String> paths(String list) {
    return list == null
        ? Set.of()
        : Arrays.stream(list.split(","))
            .map(String::trim)
            .filter(p -> !p.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * Looks at one request on its way to the login: the username whose access was just given back
   * (the chain then runs inside {@link VerifiedLogin#open} for it), or null. A JSON login's body is
   * read through {@link LoginRequest#replayBody}, so the request to hand on is the replaying one.
   */
  public String verify(LoginRequest request) throws IOException {
    Optional<Reactivation> reactivation = source.reactivation();
    if (reactivation.isEmpty()) {
      return null;
    }
    String[] credentials;
    if (isPost(request, jsonLoginPaths, "application/json")) {
      credentials = JsonCredentials.parse(request.replayBody(MAX_JSON_BODY));
    } else {
      credentials = credentials(request);
    }
    if (credentials != null
        && reactivation.get().attempt(credentials[0], credentials[1], request.remoteAddr())
            == Reactivation.Result.REACTIVATED) {
      return credentials[0];
    }
    return null;
  }

  /** The form or (if configured) Basic credentials of a request, or null. */
  private String[] credentials(LoginRequest request) {
    if (isPost(request, loginPaths, "application/x-www-form-urlencoded")) {
      String username = request.parameter(USERNAME_PARAM);
      String password = request.parameter(PASSWORD_PARAM);
      return username == null || password == null ? null : new String[] {username, password};
    }
    return basicAuth ? basicCredentials(request.header("Authorization")) : null;
  }

  private static boolean isPost(LoginRequest request, Set<String> paths, String mediaType) {
    if (paths.isEmpty() || !"POST".equalsIgnoreCase(request.method())) {
      return false;
    }
    String contentType = request.contentType();
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(mediaType)) {
      return false;
    }
    return paths.contains(path(request.servletPath(), request.pathInfo()));
  }

  /**
   * The request's path inside the application as the container resolved it: servlet path plus
   * path info, which the servlet specification gives decoded, without the context path and without
   * {@code ;jsessionid=…}-style path parameters. Repeated slashes are collapsed, so {@code
   * //login.jsp} is {@code /login.jsp} whatever the container's own normalisation. (The raw
   * request URI would let both slip past.)
   */
  static String path(String servletPath, String pathInfo) {
    String path = ((servletPath == null ? "" : servletPath) + (pathInfo == null ? "" : pathInfo)).replaceAll("/{2,}", "/");
    int parameters = path.indexOf(';');
    return parameters < 0 ? path : path.substring(0, parameters);
  }

  /** {@code [user, password]} of a Basic header, or null. */
  static String[] basicCredentials(String header) {
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded =
          new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return null;
    }
    int colon = decoded.indexOf(':');
    return colon <= 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }
}
