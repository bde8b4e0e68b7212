package io.seatwarden.web;

import com.atlassian.sal.api.user.UserKey;
import com.atlassian.sal.api.websudo.WebSudoSessionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;

/**
 * One request to the admin pages and its response, as {@link AdminPages} sees them.
 *
 * <p>Why an interface of our own: Platform 7 (Jira 10 / Confluence 9) hands servlets {@code
 * javax.servlet} types and Platform 8 (Jira 11 / Confluence 10) {@code jakarta.servlet} ones, and
 * SAL's web calls ({@code getRemoteUserKey}, WebSudo, XSRF) take whichever the product has, so a
 * class naming either cannot link in the other product. {@code AdminServlet} and {@code
 * ServletExchange} (in {@code src/javax}, compiled once per platform's servlet API) implement this
 * over the servlet API and SAL; everything the admin pages decide stays in the shared code
 * (docs/plugin.md, "Two jars").
 */
public interface AdminExchange {

  // The request.

  String method();

  /** The context path ({@code ""} at the root, else {@code /jira}), never null. */
  String contextPath();

  /** The raw request URI, context path included; null if the container has none. */
  String requestUri();

  /** The whole URL of this request with its query, for the login page to come back to. */
  URI fullUri();

  /** The raw query string, or null. */
  String queryString();

  String header(String name);

  String contentType();

  /** The declared body length, or -1. */
  long contentLength();

  /** The body; may be null when the container has none. */
  InputStream body() throws IOException;

  String remoteAddr();

  // The response.

  void status(int status);

  void contentType(String contentType);

  void contentLength(int length);

  void setHeader(String name, String value);

  void addHeader(String name, String value);

  OutputStream output() throws IOException;

  void redirect(String location) throws IOException;

  // The SAL calls that take the servlet request.

  /** SAL {@code UserManager.getRemoteUserKey(request)}: who is signed in, or null. */
  UserKey remoteUser();

  /** SAL {@code WebSudoManager.canExecuteRequest}. */
  boolean webSudoAllows();

  /** SAL {@code WebSudoManager.willExecuteWebSudoRequest}: restarts the secure session's timer. */
  void webSudoRefresh() throws WebSudoSessionException;

  /** SAL {@code WebSudoManager.enforceWebSudoProtection}: the product's password prompt. */
  void webSudoEnforce();

  /** SAL {@code XsrfTokenAccessor.getXsrfToken(request, response, create)}. */
  String xsrfToken(boolean create);

  /** SAL {@code XsrfTokenValidator.validateFormEncodedToken(request)}. */
  boolean formTokenValid();
}
