package io.seatwarden.bridge;

import java.io.IOException;
import java.util.List;

/**
 * Where a streamed answer goes (the servlet's response): the head once, then the body's bytes as
 * the engine writes them. See {@link Seatwarden#handleStreamed}.
 */
public interface ResponseSink {

  /** The status and headers, once, before any body byte. */
  void head(int status, String contentType, List<ApiResponse.Header> headers) throws IOException;

  /**
   * The next {@code length} bytes of the body, from {@code bytes[offset]}. The array is reused
   * for the next call: copy what must outlive this one. Throwing stops the export.
   */
  void write(byte[] bytes, int offset, int length) throws IOException;
}
