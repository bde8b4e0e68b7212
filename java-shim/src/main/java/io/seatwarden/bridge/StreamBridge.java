package io.seatwarden.bridge;

import java.io.IOException;

/**
 * The object the native library calls back during {@link Native#serviceStream}: {@code
 * head(byte[])} once with the response's head (the JSON of {@link Native#serviceHandle}'s result
 * without a body), then {@code chunk(int)} for each piece of the body it copied into {@link
 * #buffer()}.
 *
 * <p>One buffer per export, reused for every chunk, so a 169 MB export allocates 64 KiB on the
 * heap, not 169 MB. An exception from the {@link ResponseSink} is kept here and thrown on: the
 * library clears it (JNI must not go on with an exception pending), ends the export as broken, and
 * {@link NativeSeatwarden#handleStreamed} rethrows the kept one, so the caller sees its own
 * exception.
 */
final class StreamBridge {
  /** The chunk size: the service writes 64 KiB chunks ({@code seatwarden_service::api::CHUNK}). */
  static final int CHUNK = 64 * 1024;

  private final ResponseSink sink;
  private final byte[] buffer;
  private Throwable failure;

  StreamBridge(ResponseSink sink, int size) {
    this.sink = sink;
    this.buffer = new byte[size];
  }

  byte[] buffer() {
    return buffer;
  }

  /** What the sink threw, if it did. */
  Throwable failure() {
    return failure;
  }

  /** Called by the library: the head. */
  void head(byte[] head) throws IOException {
    try {
      ApiResponse response = Codec.apiResponse(head);
      sink.head(response.status(), response.contentType(), response.headers());
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    }
  }

  /** Called by the library: {@code length} new bytes at the start of the buffer. */
  void chunk(int length) throws IOException {
    try {
      sink.write(buffer, 0, length);
    } catch (IOException | RuntimeException | Error e) {
      failure = e;
      throw e;
    }
  }
}
