package io.seatwarden.login;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;

/**
 * The {@code before-login} servlet filter: sees credentials on their way to the product's login
 * and lets {@link Reactivation} give a returning person's account back first.
 *
 * <p>It acts on a login form post (a configured path, {@code os_username} and {@code
 * os_password}), on a JSON login post ({@code {"username", "password"}}, Jira's REST session; the
 * body is read up to {@link #MAX_JSON_BODY} bytes and handed on byte for byte) and, only if
 * configured, on HTTP Basic credentials; never on remember-me cookies, tokens or SSO. It never
 * answers the request, never creates a session and never sets a user for it: the request always
 * continues down the chain exactly once, and the product authenticates it as it would have. Init
 * parameters: {@code login-paths} and {@code json-login-paths} (comma-separated, relative to the
 * context) and {@code basic-auth} ({@code true} to act on Basic credentials; default off).
 */
public final class ReactivationFilter implements Filter {

  /** The Seraph form parameter names both products use. */
  static final String USERNAME_PARAM = "os_username";

  static final String PASSWORD_PARAM = "os_password";

  /** The most of a JSON login body the filter reads (the rest is passed on unread). */
  static final int MAX_JSON_BODY = 16 * 1024;

  private final ReactivationSource source;
  private volatile Set<String> loginPaths = Set.of();
  private volatile Set<String> jsonLoginPaths = Set.of();
  private volatile boolean basicAuth;

  /** A filter over the running plugin's reactivation. */
  public ReactivationFilter(ReactivationSource source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  @Override
  public void init(FilterConfig config) {
    loginPaths = paths(config.getInitParameter("login-paths"));
    jsonLoginPaths = paths(config.getInitParameter("json-login-paths"));
    basicAuth = Boolean.parseBoolean(config.getInitParameter("basic-auth"));
  }

  private static Set<String> paths(String list) {
    return list == null
        ? Set.of()
        : Arrays.stream(list.split(","))
            .map(String::trim)
            .filter(p -> !p.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    ServletRequest onward = request;
    String verified = null;
    if (request instanceof HttpServletRequest http) {
      Optional<Reactivation> reactivation = source.reactivation();
      if (reactivation.isPresent()) {
        String[] credentials = null;
        if (isPost(http, jsonLoginPaths, "application/json")) {
          ReplayableRequest replay = ReplayableRequest.read(http, MAX_JSON_BODY);
          onward = replay;
          credentials = JsonCredentials.parse(replay.bodyText());
        } else {
          credentials = credentials(http);
        }
        if (credentials != null
            && reactivation.get().attempt(credentials[0], credentials[1], http.getRemoteAddr())
                == Reactivation.Result.REACTIVATED) {
          verified = credentials[0];
        }
      }
    }
    if (verified == null) {
      chain.doFilter(onward, response);
      return;
    }
    // The product's own login runs in the chain; its login event on this thread is the one that
    // makes the access given back stand (see VerifiedLogin).
    VerifiedLogin.Scope scope = VerifiedLogin.open(verified);
    try {
      chain.doFilter(onward, response);
    } finally {
      scope.close();
    }
  }

  /** The form or (if configured) Basic credentials of a request, or null. */
  private String[] credentials(HttpServletRequest request) {
    if (isPost(request, loginPaths, "application/x-www-form-urlencoded")) {
      String username = request.getParameter(USERNAME_PARAM);
      String password = request.getParameter(PASSWORD_PARAM);
      return username == null || password == null ? null : new String[] {username, password};
    }
    return basicAuth ? basicCredentials(request.getHeader("Authorization")) : null;
  }

  private static boolean isPost(HttpServletRequest request, Set<String> paths, String mediaType) {
    if (paths.isEmpty() || !"POST".equalsIgnoreCase(request.getMethod())) {
      return false;
    }
    String contentType = request.getContentType();
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(mediaType)) {
      return false;
    }
    return paths.contains(path(request));
  }

  /**
   * The request's path inside the application as the container resolved it: servlet path plus
   * path info, which the servlet specification gives decoded, without the context path and without
   * {@code ;jsessionid=…}-style path parameters. Repeated slashes are collapsed, so {@code
   * //login.jsp} is {@code /login.jsp} whatever the container's own normalisation. (The raw
   * request URI would let both slip past.)
   */
  static String path(HttpServletRequest request) {
    String servletPath = request.getServletPath() == null ? "" : request.getServletPath();
    String info = request.getPathInfo() == null ? "" : request.getPathInfo();
    String path = (servletPath + info).replaceAll("/{2,}", "/");
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

  @Override
  public void destroy() {}
}
