package io.seatwarden.login;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletRequestWrapper;

/**
 * A request whose body the filter read (up to a limit) and hands on unchanged: the product reads
 * exactly the bytes the client sent, the part the filter read followed by whatever it did not.
 */
final class ReplayableRequest extends HttpServletRequestWrapper {

  private final byte[] head;
  private final InputStream rest;
  private final boolean complete;

  private ReplayableRequest(HttpServletRequest request, byte[] head, InputStream rest, boolean complete) {
    super(request);
    this.head = head;
    this.rest = rest;
    this.complete = complete;
  }

  /** Reads at most {@code limit} bytes of the body now; the rest stays in the original stream. */
  static ReplayableRequest read(HttpServletRequest request, int limit) throws IOException {
    InputStream in = request.getInputStream();
    byte[] head = in == null ? new byte[0] : in.readNBytes(limit + 1);
    boolean complete = head.length <= limit;
    return new ReplayableRequest(
        request, head, in == null ? InputStream.nullInputStream() : in, complete);
  }

  /** The whole body as text, or null when it is longer than the limit. */
  String bodyText() {
    return complete ? new String(head, charset()) : null;
  }

  private Charset charset() {
    String name = getCharacterEncoding();
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (IllegalArgumentException unknown) {
      return StandardCharsets.UTF_8;
    }
  }

  @Override
  public ServletInputStream getInputStream() {
    InputStream body = new SequenceInputStream(new ByteArrayInputStream(head), rest);
    return new ServletInputStream() {
      private boolean finished;

      @Override
      public int read() throws IOException {
        int b = body.read();
        finished = b < 0;
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = body.read(buffer, offset, length);
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
    return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
  }
}
