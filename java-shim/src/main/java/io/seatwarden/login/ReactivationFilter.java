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
    if (request instanceof HttpServletRequest http) {
      Optional<Reactivation> reactivation = source.reactivation();
      if (reactivation.isPresent()) {
        if (isPost(http, jsonLoginPaths, "application/json")) {
          ReplayableRequest replay = ReplayableRequest.read(http, MAX_JSON_BODY);
          onward = replay;
          String[] credentials = JsonCredentials.parse(replay.bodyText());
          if (credentials != null) {
            reactivation.get().attempt(credentials[0], credentials[1]);
          }
        } else {
          consider(http, reactivation.get());
        }
      }
    }
    chain.doFilter(onward, response);
  }

  private void consider(HttpServletRequest request, Reactivation reactivation) {
    if (isPost(request, loginPaths, "application/x-www-form-urlencoded")) {
      reactivation.attempt(
          request.getParameter(USERNAME_PARAM), request.getParameter(PASSWORD_PARAM));
      return;
    }
    if (basicAuth) {
      String[] credentials = basicCredentials(request.getHeader("Authorization"));
      if (credentials != null) {
        reactivation.attempt(credentials[0], credentials[1]);
      }
    }
  }

  private static boolean isPost(HttpServletRequest request, Set<String> paths, String mediaType) {
    if (paths.isEmpty() || !"POST".equalsIgnoreCase(request.getMethod())) {
      return false;
    }
    String contentType = request.getContentType();
    if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith(mediaType)) {
      return false;
    }
    String uri = request.getRequestURI();
    String context = request.getContextPath() == null ? "" : request.getContextPath();
    String path = uri != null && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    return paths.contains(path);
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
