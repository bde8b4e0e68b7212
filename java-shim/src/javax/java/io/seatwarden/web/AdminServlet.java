package io.seatwarden.web;

import com.atlassian.sal.api.auth.LoginUriProvider;
import com.atlassian.sal.api.user.UserManager;
import com.atlassian.sal.api.websudo.WebSudoManager;
import com.atlassian.sal.api.xsrf.XsrfTokenAccessor;
import com.atlassian.sal.api.xsrf.XsrfTokenValidator;
import java.io.IOException;
import java.util.Objects;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * {@code /plugins/servlet/seatwarden/*}: hands each request to {@link AdminPages}, which holds all
 * of the admin pages' behaviour (sign-in, system administrator, WebSudo, XSRF, API, assets).
 *
 * <p>Written against {@code javax.servlet} (the Platform 7 jar); the Platform 8 jar compiles a copy
 * with {@code jakarta.servlet} instead, made by the build (docs/plugin.md, "Two jars"). So this
 * file must never name anything else that differs between the platforms.
 */
public final class AdminServlet extends HttpServlet {

  private static final long serialVersionUID = 1L;

  private final transient ServletExchange.Sal sal;
  private final transient AdminPages pages;

  /** The servlet as the plugin framework builds it (constructor injection). */
  public AdminServlet(
      UserManager users,
      WebSudoManager webSudo,
      XsrfTokenAccessor xsrfTokens,
      XsrfTokenValidator xsrfValidator,
      LoginUriProvider loginUris,
      AdminBackend backend) {
    this(
        users,
        webSudo,
        xsrfTokens,
        xsrfValidator,
        loginUris,
        backend,
        AdminServlet.class.getClassLoader());
  }

  /** Any asset class loader (tests). */
  AdminServlet(
      UserManager users,
      WebSudoManager webSudo,
      XsrfTokenAccessor xsrfTokens,
      XsrfTokenValidator xsrfValidator,
      LoginUriProvider loginUris,
      AdminBackend backend,
      ClassLoader assetLoader) {
    this.sal = new ServletExchange.Sal(users, webSudo, xsrfTokens, xsrfValidator);
    Objects.requireNonNull(assetLoader, "assetLoader");
    this.pages = new AdminPages(users, loginUris, backend, assetLoader);
  }

  @Override
  protected void service(HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    pages.serve(new ServletExchange(request, response, sal));
  }
}
