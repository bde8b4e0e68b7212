package io.seatwarden.login;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;

/**
 * {@link LoginRequest} over the servlet request; once the body has been read, {@link #onward()}
 * is a wrapper that replays it. Pure delegation. Compiled as is for Platform 7 and, with {@code
 * jakarta.servlet}, for Platform 8 (docs/plugin.md, "Two jars").
 */
final class ServletLoginRequest implements LoginRequest {

  private final HttpServletRequest request;
  private HttpServletRequest onward;

  ServletLoginRequest(HttpServletRequest request) {
    this.request = request;
    this.onward = request;
  }

  /** The request to hand down the chain: the original, or the replaying one. */
  HttpServletRequest onward() {
    return onward;
  }

  @Override
  public String method() {
    return request.getMethod();
  }

  @Override
  public String contentType() {
    return request.getContentType();
  }

  @Override
  public String servletPath() {
    return request.getServletPath();
  }

  @Override
  public String pathInfo() {
    return request.getPathInfo();
  }

  @Override
  public String parameter(String name) {
    return request.getParameter(name);
  }

  @Override
  public String header(String name) {
    return request.getHeader(name);
  }

  @Override
  public String remoteAddr() {
    return request.getRemoteAddr();
  }

  @Override
  public String replayBody(int limit) throws IOException {
    ReplayedBody body = ReplayedBody.read(request.getInputStream(), limit);
    onward = new Replaying(request, body);
    return body.text(request.getCharacterEncoding());
  }

  /** The request with its body replayed from the first byte. */
  private static final class Replaying extends HttpServletRequestWrapper {
    private final ReplayedBody body;

    Replaying(HttpServletRequest request, ReplayedBody body) {
      super(request);
      this.body = body;
    }

    @Override
    public ServletInputStream getInputStream() {
      InputStream in = body.stream();
      return new ServletInputStream() {
        private boolean finished;

        @Override
        public int read() throws IOException {
          int b = in.read();
          finished = b < 0;
          return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          int n = in.read(buffer, offset, length);
          finished = n < 0;
          return n;
        }

        @Override
        public boolean isFinished() {
          return finished;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the login body is replayed synchronously");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      return new BufferedReader(
          new InputStreamReader(getInputStream(), ReplayedBody.charset(getCharacterEncoding())));
    }
  }
}
