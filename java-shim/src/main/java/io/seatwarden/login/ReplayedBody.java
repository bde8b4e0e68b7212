package io.seatwarden.login;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * A request body the filter read (up to a limit) and hands on unchanged: the product reads exactly
 * the bytes the client sent, the part the filter read followed by whatever it did not.
 * {@code ServletLoginRequest} wraps the servlet request around one of these.
 */
public final class ReplayedBody {

  private final byte[] head;
  private final InputStream rest;
  private final boolean complete;

  private ReplayedBody(byte[] head, InputStream rest, boolean complete) {
    this.head = head;
    this.rest = rest;
    this.complete = complete;
  }

  /** Reads at most {@code limit} bytes of {@code in} now (null: no body); the rest stays in it. */
  public static ReplayedBody read(InputStream in, int limit) throws IOException {
    byte[] head = in == null ? new byte[0] : in.readNBytes(limit + 1);
    return new ReplayedBody(
        head, in == null ? InputStream.nullInputStream() : in, head.length <= limit);
  }

  /** The whole body as text in {@code charsetName} (UTF-8 if unknown), or null when over the limit. */
  public String text(String charsetName) {
    return complete ? new String(head, charset(charsetName)) : null;
  }

  /** The body from its first byte: what was read, then the rest. */
  public InputStream stream() {
    return new SequenceInputStream(new ByteArrayInputStream(head), rest);
  }

  /** The named charset, or UTF-8 when absent or unknown. */
  public static Charset charset(String name) {
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (IllegalArgumentException unknown) {
      return StandardCharsets.UTF_8;
    }
  }
}
