package io.seatwarden.bridge;

import java.io.IOException;

/**
 * A streamed answer stopped after part of its body went out (the export failed, or the directory
 * was rebuilt under it): the response is incomplete and must be aborted, never ended as a whole
 * file. An {@link IOException} so that a servlet letting it through makes the container drop the
 * connection.
 */
public final class StreamBrokenException extends IOException {
  private static final long serialVersionUID = 1L;

  private final long bytesSent;

  StreamBrokenException(String reason, long bytesSent) {
    super("the export stopped after " + bytesSent + " bytes: " + reason);
    this.bytesSent = bytesSent;
  }

  /** Body bytes that went out before the stream broke. */
  public long bytesSent() {
    return bytesSent;
  }
}
