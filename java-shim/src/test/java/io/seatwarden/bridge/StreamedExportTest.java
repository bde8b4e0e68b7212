package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.ADMIN;
import static io.seatwarden.bridge.ServiceFixtures.TICK;
import static io.seatwarden.bridge.ServiceFixtures.call;
import static io.seatwarden.bridge.ServiceFixtures.createPolicy;
import static io.seatwarden.bridge.ServiceFixtures.open;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static io.seatwarden.bridge.ServiceFixtures.path;
import static io.seatwarden.bridge.ServiceFixtures.request;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.ServiceFixtures.Answer;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Exports streamed through JNI (issue 19): {@link NativeSeatwarden#handleStreamed} hands the body
 * to a {@link ResponseSink} as raw bytes in chunks, and the bytes are the whole file's.
 */
class StreamedExportTest {
  /** Enough users for the users export to span several 64 KiB chunks. */
  private static final int IDLE = 3_000;

  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  /** What a servlet would have written. */
  static class Recorder implements ResponseSink {
    int heads;
    int status;
    String contentType;
    List<ApiResponse.Header> headers = List.of();
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final List<Integer> chunks = new ArrayList<>();

    @Override
    public void head(int status, String contentType, List<ApiResponse.Header> headers)
        throws IOException {
      assertEquals(0, heads, "one head");
      assertTrue(chunks.isEmpty(), "the head comes first");
      heads++;
      this.status = status;
      this.contentType = contentType;
      this.headers = headers;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      assertEquals(1, heads, "the head precedes every chunk");
      chunks.add(length);
      body.write(bytes, offset, length);
    }
  }

  /** The streamed answer as a whole one, so both can be compared. */
  private static ApiResponse streamed(NativeSeatwarden app, ApiRequest request, Recorder sink)
      throws IOException {
    Optional<ApiResponse> whole = app.handleStreamed(request, sink);
    if (whole.isPresent()) {
      assertEquals(0, sink.heads, "a whole answer leaves the sink untouched");
      return whole.get();
    }
    return new ApiResponse(sink.status, sink.contentType, sink.headers, sink.body.toByteArray());
  }

  @Test
  void theStreamedExportsAreTheWholeFilesByteForByte() throws IOException {
    try (NativeSeatwarden app = open(organisation(IDLE), new InMemoryRecordStore(), TICK)) {
      // An audited change, so the audit export has a row.
      assertEquals(201, createPolicy(app, ServiceFixtures.deactivationPolicy("Idle", false)).status());
      for (String path :
          List.of(
              "/api/users/export", "/api/groups/export",
              "/api/audit/export")) {
        ApiRequest req = request("GET", path, null, ADMIN);
        ApiResponse whole = app.handle(req);
        assertEquals(200, whole.status(), path);
        Recorder sink = new Recorder();
        ApiResponse got = streamed(app, req, sink);
        assertEquals(whole.status(), got.status(), path);
        assertEquals(whole.contentType(), got.contentType(), path);
        assertEquals(whole.headers(), got.headers(), path);
        assertArrayEquals(whole.body(), got.body(), path);
      }
      // The users export really streamed: one head, full chunks but the last.
      Recorder sink = new Recorder();
      assertTrue(app.handleStreamed(request("GET", "/api/users/export", null, ADMIN), sink).isEmpty());
      assertTrue(sink.chunks.size() > 2, sink.chunks.toString());
      for (int i = 0; i < sink.chunks.size() - 1; i++) {
        assertEquals(StreamBridge.CHUNK, sink.chunks.get(i));
      }
      String csv = sink.body.toString(StandardCharsets.UTF_8);
      assertTrue(csv.contains("idle2999"), "the last user is in the file");
    }
  }

  @Test
  void otherRoutesAndRefusalsAreWholeAnswers() throws IOException {
    try (NativeSeatwarden app = open(organisation(3), new InMemoryRecordStore(), TICK)) {
      Recorder sink = new Recorder();
      ApiResponse policies = app.handleStreamed(request("GET", "/api/policies", null, ADMIN), sink).orElseThrow();
      assertEquals(200, policies.status());
      ApiRequest.Context nobody = new ApiRequest.Context(null, false, "127.0.0.1", true, true);
      ApiResponse refused =
          app.handleStreamed(request("GET", "/api/users/export", null, nobody), sink).orElseThrow();
      assertEquals(401, refused.status());
      assertEquals(0, sink.heads);
    }
  }

  /** A sink that gives up (the browser went away) after {@code keep} chunks. */
  static final class Abandoning extends Recorder {
    final int keep;
    final IOException gone = new IOException("connection reset by peer");
    int after;

    Abandoning(int keep) {
      this.keep = keep;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      if (chunks.size() >= keep) {
        after++;
        throw gone;
      }
      super.write(bytes, offset, length);
    }
  }

  @Test
  void anAbandonedExportStopsRethrowsTheSinksExceptionAndFreesEverything() throws IOException {
    NativeSeatwarden app = open(organisation(IDLE), new InMemoryRecordStore(), TICK);
    long handle = app.nativeHandle();
    Abandoning sink = new Abandoning(1);
    IOException thrown =
        assertThrows(
            IOException.class,
            () -> app.handleStreamed(request("GET", "/api/users/export", null, ADMIN), sink));
    assertSame(sink.gone, thrown, "the caller sees its own exception");
    assertEquals(1, sink.chunks.size());
    assertEquals(1, sink.after, "no chunk was offered after the sink threw");
    // The service goes on answering, on this thread and after the failed call.
    assertEquals(200, call(app, "GET", "/api/policies", null).status());
    app.close();
    // Nothing kept the service: closing released it at once (no call was left in flight).
    assertFalse(Native.serviceClose(handle), "the native service was released by close()");
  }

  @Test
  void aRebuildDuringTheExportBreaksTheStream() throws IOException {
    try (NativeSeatwarden app = open(organisation(IDLE), new InMemoryRecordStore(), TICK)) {
      Answer created = createPolicy(app, ServiceFixtures.deactivationPolicy("Idle", false));
      assertEquals(201, created.status(), created.toString());
      String id = (String) path(created.json(), "policy", "id");
      Recorder sink =
          new Recorder() {
            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
              super.write(bytes, offset, length);
              if (chunks.size() == 1) {
                // A policy preview reads the directory again (an index rebuild) mid-export.
                Answer preview = call(app, "POST", "/api/policies/" + id + "/preview", "{}");
                assertEquals(200, preview.status(), preview.toString());
              }
            }
          };
      StreamBrokenException broken =
          assertThrows(
              StreamBrokenException.class,
              () -> app.handleStreamed(request("GET", "/api/users/export", null, ADMIN), sink));
      assertEquals(sink.body.size(), broken.bytesSent());
      assertTrue(broken.getMessage().contains("read again"), broken.getMessage());
    }
  }

  @Test
  void aBadHandleOrSinkIsAPreciseException() {
    byte[] payload =
        Codec.apiRequest(request("GET", "/api/users/export", null, ADMIN), TICK);
    StreamBridge bridge = new StreamBridge(new Recorder(), 16);
    SeatwardenException closed =
        assertThrows(
            EngineClosedException.class,
            () -> Envelope.unwrap(Native.serviceStream(987_654_321L, payload, bridge, bridge.buffer())));
    assertTrue(closed.getMessage().contains("987654321"), closed.getMessage());

    NativeSeatwarden app = open(organisation(3), new InMemoryRecordStore(), TICK);
    long handle = app.nativeHandle();
    assertThrows(
        BadRequestException.class,
        () -> Envelope.unwrap(Native.serviceStream(handle, payload, null, new byte[16])));
    assertThrows(
        BadRequestException.class,
        () -> Envelope.unwrap(Native.serviceStream(handle, payload, bridge, new byte[0])));
    app.close();
    assertThrows(
        EngineClosedException.class,
        () -> app.handleStreamed(request("GET", "/api/users/export", null, ADMIN), new Recorder()));
  }

  @Test
  void aSinkThatThrowsAtTheHeadSendsNothing() {
    try (NativeSeatwarden app = open(organisation(IDLE), new InMemoryRecordStore(), TICK)) {
      RuntimeException bug = new IllegalStateException("a bug in the sink");
      Recorder sink =
          new Recorder() {
            @Override
            public void head(int status, String contentType, List<ApiResponse.Header> headers) {
              throw bug;
            }
          };
      RuntimeException thrown =
          assertThrows(
              RuntimeException.class,
              () -> app.handleStreamed(request("GET", "/api/users/export", null, ADMIN), sink));
      assertSame(bug, thrown);
      assertTrue(sink.chunks.isEmpty());
    }
  }
}
