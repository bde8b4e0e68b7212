package io.seatwarden.web;

import com.atlassian.sal.api.user.UserKey;
import com.atlassian.sal.api.user.UserManager;
import com.atlassian.sal.api.websudo.WebSudoManager;
import com.atlassian.sal.api.websudo.WebSudoSessionException;
import com.atlassian.sal.api.xsrf.XsrfTokenAccessor;
import com.atlassian.sal.api.xsrf.XsrfTokenValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Objects;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * {@link AdminExchange} over the servlet request and response, and the SAL calls that take them.
 * Pure delegation: no decision is made here. Compiled as is for Platform 7 and, with {@code
 * jakarta.servlet}, for Platform 8 (docs/plugin.md, "Two jars").
 */
final class ServletExchange implements AdminExchange {

  /** The SAL services whose calls take the servlet request. */
  record Sal(
      UserManager users,
      WebSudoManager webSudo,
      XsrfTokenAccessor xsrfTokens,
      XsrfTokenValidator xsrfValidator) {
    Sal {
      Objects.requireNonNull(users, "users");
      Objects.requireNonNull(webSudo, "webSudo");
      Objects.requireNonNull(xsrfTokens, "xsrfTokens");
      Objects.requireNonNull(xsrfValidator, "xsrfValidator");
    }
  }

  private final HttpServletRequest request;
  private final HttpServletResponse response;
  private final Sal sal;

  ServletExchange(HttpServletRequest request, HttpServletResponse response, Sal sal) {
    this.request = request;
    this.response = response;
    this.sal = sal;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String contextPath() {
    return request.getContextPath() == null ? "" : request.getContextPath();
  }

  @Override
  public String requestUri() {
    return request.getRequestURI();
  }

  /**
   * SAL's {@code getLoginUri(URI)} expects the whole URL ({@code getRequestURL()}, as Atlassian's
   * own SAL servlets pass it): {@code getRequestURI()} already starts with the context path, which
   * the product would then add a second time ({@code /jira/jira/...}).
   */
  @Override
  public URI fullUri() {
    String query = request.getQueryString();
    return URI.create(request.getRequestURL() + (query == null ? "" : "?" + query));
  }

  @Override
  public String queryString() {
    return request.getQueryString();
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public String contentType() {
    return request.getContentType();
  }

  @Override
  public long contentLength() {
    return request.getContentLengthLong();
  }

  @Override
  public InputStream body() throws IOException {
    return request.getInputStream();
  }

  @Override
  public String remoteAddr() {
    return request.getRemoteAddr();
  }

  @Override
  public void status(int status) {
    response.setStatus(status);
  }

  @Override
  public void contentType(String contentType) {
    response.setContentType(contentType);
  }

  @Override
  public void contentLength(int length) {
    response.setContentLength(length);
  }

  @Override
  public void setHeader(String name, String value) {
    response.setHeader(name, value);
  }

  @Override
  public void addHeader(String name, String value) {
    response.addHeader(name, value);
  }

  @Override
  public OutputStream output() throws IOException {
    return response.getOutputStream();
  }

  @Override
  public void redirect(String location) throws IOException {
    response.sendRedirect(location);
  }

  @Override
  public UserKey remoteUser() {
    return sal.users().getRemoteUserKey(request);
  }

  @Override
  public boolean webSudoAllows() {
    return sal.webSudo().canExecuteRequest(request);
  }

  @Override
  public void webSudoRefresh() throws WebSudoSessionException {
    sal.webSudo().willExecuteWebSudoRequest(request);
  }

  @Override
  public void webSudoEnforce() {
    sal.webSudo().enforceWebSudoProtection(request, response);
  }

  @Override
  public String xsrfToken(boolean create) {
    return sal.xsrfTokens().getXsrfToken(request, response, create);
  }

  @Override
  public boolean formTokenValid() {
    return sal.xsrfValidator().validateFormEncodedToken(request);
  }
}
