package io.seatwarden.web;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Servlet request and response fakes (proxies over the few methods the plugin calls), for either
 * platform: {@link ServletApi} (one per platform) makes the proxies, so these are {@code Object}s
 * here, handed to the servlet and filter through {@link ServletApi}.
 */
public final class FakeHttp {

  private FakeHttp() {}

  /** A request under construction. */
  public static final class Request {
    public String method = "GET";
    public String contextPath = "/jira";
    public String uri = "/jira/plugins/servlet/seatwarden/";
    /** What the container resolved: decoded, without context path or path parameters. */
    public String servletPath = "/plugins/servlet/seatwarden/";

    public String pathInfo;
    public String query;
    public String contentType;
    public String remoteAddr = "192.0.2.10";
    public byte[] body = new byte[0];
    public final Map<String, String> headers = new HashMap<>();
    public final Map<String, String> params = new HashMap<>();
    /** How often getInputStream was called. */
    public int bodyReads;

    public Request method(String m) {
      method = m;
      return this;
    }

    public Request path(String p) {
      uri = contextPath + p;
      servletPath = p;
      return this;
    }

    public Request header(String name, String value) {
      headers.put(name.toLowerCase(java.util.Locale.ROOT), value);
      return this;
    }

    public Request body(String contentType, String text) {
      this.contentType = contentType;
      this.body = text.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    public Object build() {
      return ServletApi.request(
              (proxy, m, args) ->
                  switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getContextPath" -> contextPath;
                    case "getRequestURI" -> uri;
                    case "getRequestURL" -> new StringBuffer("https://jira.example.test" + uri);
                    case "getServletPath" -> servletPath;
                    case "getPathInfo" -> pathInfo;
                    case "getQueryString" -> query;
                    case "getContentType" -> contentType;
                    case "getRemoteAddr" -> remoteAddr;
                    case "getHeader" -> headers.get(((String) args[0]).toLowerCase(java.util.Locale.ROOT));
                    case "getParameter" -> params.get((String) args[0]);
                    case "getContentLengthLong" -> (long) body.length;
                    case "getContentLength" -> body.length;
                    case "getInputStream" -> {
                      bodyReads++;
                      yield ServletApi.input(body);
                    }
                    case "getAttribute", "getCharacterEncoding" -> null;
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeRequest " + method + " " + uri;
                    default -> throw new UnsupportedOperationException(m.getName());
                  });
    }
  }

  /** What a servlet wrote. */
  public static final class Response {
    public int status = 200;
    public String contentType;
    public String redirect;
    public final Map<String, List<String>> headers = new LinkedHashMap<>();
    public final ByteArrayOutputStream body = new ByteArrayOutputStream();
    public boolean webSudoEnforced;

    public String text() {
      return body.toString(StandardCharsets.UTF_8);
    }

    public String header(String name) {
      List<String> values = headers.get(name);
      return values == null ? null : values.get(0);
    }

    public Object build() {
      return ServletApi.response(
              (proxy, m, args) ->
                  switch (m.getName()) {
                    case "setStatus" -> {
                      status = (Integer) args[0];
                      yield null;
                    }
                    case "setContentType" -> {
                      contentType = (String) args[0];
                      yield null;
                    }
                    case "setContentLength" -> null;
                    case "setHeader" -> {
                      headers.put((String) args[0], new ArrayList<>(List.of((String) args[1])));
                      yield null;
                    }
                    case "addHeader" -> {
                      headers.computeIfAbsent((String) args[0], k -> new ArrayList<>()).add((String) args[1]);
                      yield null;
                    }
                    case "sendRedirect" -> {
                      status = 302;
                      redirect = (String) args[0];
                      yield null;
                    }
                    case "getOutputStream" -> ServletApi.output(body);
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "FakeResponse " + status;
                    default -> throw new UnsupportedOperationException(m.getName());
                  });
    }

    public Map<String, List<String>> headersView() {
      return Collections.unmodifiableMap(headers);
    }
  }
}
