package io.seatwarden.web;

import com.atlassian.sal.api.auth.LoginUriProvider;
import com.atlassian.sal.api.user.UserKey;
import com.atlassian.sal.api.user.UserManager;
import com.atlassian.sal.api.websudo.WebSudoManager;
import com.atlassian.sal.api.websudo.WebSudoSessionException;
import com.atlassian.sal.api.xsrf.XsrfTokenAccessor;
import com.atlassian.sal.api.xsrf.XsrfTokenValidator;
import java.lang.reflect.Proxy;
import java.net.URI;

/**
 * SAL as the product would answer, scripted. One proxy implements the five SAL interfaces: their
 * web calls take the platform's servlet types, which shared test code cannot name, so the proxy
 * answers by method name and the same fake serves both jars' tests.
 */
public final class FakeSal {

  public static final String TOKEN = "tok-123";

  public UserKey user = new UserKey("admin-key");
  public boolean sysadmin = true;
  public boolean webSudo = true;
  public boolean formToken;
  /** How often the secure session was refreshed (willExecuteWebSudoRequest). */
  public int webSudoRefreshes;

  private final Object proxy =
      Proxy.newProxyInstance(
          FakeSal.class.getClassLoader(),
          new Class<?>[] {
            UserManager.class,
            WebSudoManager.class,
            XsrfTokenAccessor.class,
            XsrfTokenValidator.class,
            LoginUriProvider.class
          },
          (self, m, args) ->
              switch (m.getName()) {
                case "getRemoteUserKey" -> user;
                case "isSystemAdmin" -> sysadmin && args[0] != null;
                case "canExecuteRequest" -> webSudo;
                case "enforceWebSudoProtection" -> {
                  ServletApi.sendRedirect(args[1], "/jira/secure/admin/WebSudoAuthenticate!default.jspa");
                  yield null;
                }
                case "willExecuteWebSudoRequest" -> {
                  webSudoRefreshes++;
                  if (!webSudo) {
                    throw new WebSudoSessionException("expired");
                  }
                  yield null;
                }
                case "getXsrfToken" -> TOKEN;
                case "validateFormEncodedToken" -> formToken;
                case "getXsrfParameterName" -> "atl_token";
                case "getLoginUri" -> URI.create("/jira/login.jsp?os_destination=" + args[0]);
                case "hashCode" -> System.identityHashCode(self);
                case "equals" -> self == args[0];
                case "toString" -> "FakeSal";
                default -> throw new UnsupportedOperationException(m.getName());
              });

  /** The servlet over this SAL, the plugin's backend and the UI assets of {@code assetLoader}. */
  public AdminServlet servlet(AdminBackend backend, ClassLoader assetLoader) {
    return new AdminServlet(
        (UserManager) proxy,
        (WebSudoManager) proxy,
        (XsrfTokenAccessor) proxy,
        (XsrfTokenValidator) proxy,
        (LoginUriProvider) proxy,
        backend,
        assetLoader);
  }

  /** The servlet with the UI assets of the plugin's own class loader, as in the product. */
  public AdminServlet servlet(AdminBackend backend) {
    return servlet(backend, AdminServlet.class.getClassLoader());
  }
}
