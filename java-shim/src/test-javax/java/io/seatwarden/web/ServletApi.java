package io.seatwarden.web;

import io.seatwarden.login.ReactivationFilter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.Map;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.FilterConfig;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.ServletOutputStream;
import javax.servlet.WriteListener;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The servlet API for the shared tests: the only test code that names it. Requests, responses and
 * streams are made here; shared tests hold them as {@code Object}s, so they run against both jars'
 * classes (the Platform 8 build compiles this file with {@code jakarta.servlet}).
 */
public final class ServletApi {

  private ServletApi() {}

  /** Which servlet API these tests run against: the package of {@code HttpServletRequest}. */
  public static final String PACKAGE = HttpServletRequest.class.getPackageName();

  /** A request proxy answering through {@code handler}. */
  public static Object request(InvocationHandler handler) {
    return Proxy.newProxyInstance(
        ServletApi.class.getClassLoader(), new Class<?>[] {HttpServletRequest.class}, handler);
  }

  /** A response proxy answering through {@code handler}. */
  public static Object response(InvocationHandler handler) {
    return Proxy.newProxyInstance(
        ServletApi.class.getClassLoader(), new Class<?>[] {HttpServletResponse.class}, handler);
  }

  public static void sendRedirect(Object response, String location) throws IOException {
    ((HttpServletResponse) response).sendRedirect(location);
  }

  /** The request's body as the chain would read it. */
  public static byte[] body(Object request) throws IOException {
    return ((HttpServletRequest) request).getInputStream().readAllBytes();
  }

  /** The servlet answers one request. */
  public static void service(AdminServlet servlet, Object request, Object response)
      throws Exception {
    servlet.service((HttpServletRequest) request, (HttpServletResponse) response);
  }

  /** The anonymous servlet answers one request. */
  public static void service(PublicServlet servlet, Object request, Object response)
      throws Exception {
    servlet.service((HttpServletRequest) request, (HttpServletResponse) response);
  }

  public static void init(ReactivationFilter filter, Map<String, String> params) {
    filter.init(
        (FilterConfig)
            Proxy.newProxyInstance(
                ServletApi.class.getClassLoader(),
                new Class<?>[] {FilterConfig.class},
                (proxy, m, args) ->
                    switch (m.getName()) {
                      case "getInitParameter" -> params.get((String) args[0]);
                      default -> throw new UnsupportedOperationException(m.getName());
                    }));
  }

  /** What the rest of the chain does with the request the filter hands on. */
  @FunctionalInterface
  public interface Chain {
    void doFilter(Object request, Object response) throws Exception;
  }

  public static void doFilter(Filter filter, Object request, Object response, Chain chain)
      throws Exception {
    FilterChain rest =
        (req, res) -> {
          try {
            chain.doFilter(req, res);
          } catch (IOException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };
    filter.doFilter(
        (HttpServletRequest) request, (HttpServletResponse) response, rest);
  }

  static Object input(byte[] bytes) {
    ByteArrayInputStream in = new ByteArrayInputStream(bytes);
    return new ServletInputStream() {
      @Override
      public int read() {
        return in.read();
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return in.read(b, off, len);
      }

      @Override
      public boolean isFinished() {
        return in.available() == 0;
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setReadListener(ReadListener listener) {
        throw new UnsupportedOperationException();
      }
    };
  }

  static Object output(ByteArrayOutputStream out) {
    return new ServletOutputStream() {
      @Override
      public void write(int b) {
        out.write(b);
      }

      @Override
      public boolean isReady() {
        return true;
      }

      @Override
      public void setWriteListener(WriteListener listener) {
        throw new UnsupportedOperationException();
      }
    };
  }
}
