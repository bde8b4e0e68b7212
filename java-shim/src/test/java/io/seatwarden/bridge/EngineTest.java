package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.keys;
import static io.seatwarden.bridge.Fixtures.queryRequest;
import static io.seatwarden.bridge.Fixtures.snapshot;
import static io.seatwarden.bridge.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The walking skeleton against the real library: version, open, query, close. */
class EngineTest {
  @Test
  void libraryReportsTheBridgeVersionAndIsTheTestingBuild() {
    LibraryInfo info = Engine.libraryInfo();
    assertEquals(NativeLoader.BRIDGE_VERSION, info.bridgeVersion());
    assertEquals(1, info.snapshotVersion());
    assertTrue(info.libraryVersion().matches("\\d+\\.\\d+\\.\\d+.*"), info.libraryVersion());
    assertTrue(info.testing(), "tests run against the library built with the `testing` feature");
  }

  @Test
  void versionEntryPointReturnsASuccessEnvelope() {
    Engine.libraryInfo();
    Map<String, Object> version = Envelope.unwrapObject(Native.version());
    assertEquals((long) NativeLoader.BRIDGE_VERSION, version.get("bridgeVersion"));
  }

  @Test
  void opensTheFixtureAndQueriesIt() {
    try (Engine engine = Engine.open(snapshot())) {
      assertEquals(6, engine.userCount());
      assertTrue(engine.memoryBytes() > 0);
      byte[] page =
          engine.query(
              queryRequest(
                  "{\"includeGroups\":[\"developers\"],\"status\":\"active\",\"sort\":\"username\"}"));
      Map<String, Object> parsed = Json.parseObject(page);
      assertEquals(2L, parsed.get("total"));
      assertEquals(List.of("JIRAUSER10100", "JIRAUSER10101"), keys(page));
    }
  }

  @Test
  void combinedFiltersSortAndPage() {
    try (Engine engine = Engine.open(snapshot())) {
      byte[] page =
          engine.query(
              queryRequest(
                  "{\"licence\":\"licensed\",\"excludeGroups\":[\"jira-administrators\"],"
                      + "\"sort\":\"lastLogin\",\"order\":\"desc\",\"pageSize\":10,\"page\":1}"));
      assertEquals(List.of("JIRAUSER10100", "JIRAUSER10101", "JIRAUSER10102"), keys(page));
      byte[] everyone = engine.query(utf8("{\"version\":1,\"now\":" + Fixtures.NOW + "}"));
      assertEquals(6L, Json.parseObject(everyone).get("total"));
    }
  }

  @Test
  void invalidSnapshotIsABadRequestNamingTheUserKeyAndPosition() {
    String broken =
        new String(snapshot(), java.nio.charset.StandardCharsets.UTF_8)
            .replace("\"directoryId\": 2, \"active\": true,\n       \"created\": 1672531200000",
                "\"directoryId\": 9, \"active\": true,\n       \"created\": 1672531200000");
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> Engine.open(utf8(broken)));
    assertTrue(e.getMessage().contains("`JIRAUSER10102`"), e.getMessage());
    assertEquals(ErrorKind.BAD_REQUEST, e.kind());
    assertEquals("unknown_directory", e.details().get("snapshotError"));
    assertEquals(Map.of("page", 1L, "index", 0L), e.details().get("position"));
  }

  @Test
  void notJsonAtAllIsABadRequest() {
    assertThrows(BadRequestException.class, () -> Engine.open(utf8("not json")));
  }

  @Test
  void unknownGroupInAQueryIsABadRequestNamingIt() {
    try (Engine engine = Engine.open(snapshot())) {
      BadRequestException e =
          assertThrows(
              BadRequestException.class,
              () -> engine.query(queryRequest("{\"includeGroups\":[\"ghosts\"]}")));
      assertEquals(
          "query is not valid: field `includeGroups`: unknown group `ghosts`", e.getMessage());
      assertEquals("ghosts", e.details().get("group"));
    }
  }

  @Test
  void requestOfAnotherVersionIsUnsupported() {
    try (Engine engine = Engine.open(snapshot())) {
      UnsupportedVersionException e =
          assertThrows(
              UnsupportedVersionException.class,
              () -> engine.query(utf8("{\"version\":2,\"now\":0}")));
      assertEquals(2L, e.details().get("requested"));
    }
  }

  @Test
  void closedEngineRefusesCallsAndCloseIsIdempotent() {
    Engine engine = Engine.open(snapshot());
    engine.close();
    engine.close();
    assertTrue(engine.isClosed());
    EngineClosedException e =
        assertThrows(EngineClosedException.class, () -> engine.query(queryRequest("{}")));
    assertEquals(ErrorKind.CLOSED, e.kind());
  }

  @Test
  void closeReleasesTheNativeEngine() {
    long before = NativeTesting.testOpenHandles();
    Engine engine = Engine.open(snapshot());
    assertEquals(before + 1, NativeTesting.testOpenHandles());
    engine.close();
    assertEquals(before, NativeTesting.testOpenHandles());
    assertFalse(Native.close(engine.handle()), "the native handle is already gone");
  }

  @Test
  void staleHandleIsTheClosedKindNotACrash() {
    Engine engine = Engine.open(snapshot());
    long handle = engine.handle();
    engine.close();
    EngineClosedException e =
        assertThrows(
            EngineClosedException.class,
            () -> Envelope.unwrap(Native.query(handle, queryRequest("{}"))));
    assertEquals(handle, e.details().get("handle"));
    assertThrows(
        EngineClosedException.class, () -> Envelope.unwrap(Native.query(-42, queryRequest("{}"))));
  }

  @Test
  void nullArraysAreRefused() {
    Engine.libraryInfo();
    assertThrows(NullPointerException.class, () -> Engine.open(null));
    // Past the Java checks, JNI itself refuses: a BridgeException thrown by the guard.
    BridgeException e = assertThrows(BridgeException.class, () -> Native.open(null));
    assertTrue(e.getMessage().startsWith("jni call failed"), e.getMessage());
    assertThrows(BridgeException.class, () -> Native.query(1, null));
  }

  @Test
  void resultBytesAreExactlyTheEnvelopeResult() {
    try (Engine engine = Engine.open(snapshot())) {
      byte[] request = queryRequest("{\"pageSize\":10}");
      byte[] envelope = engine.call(h -> Native.query(h, request));
      byte[] result = engine.query(request);
      byte[] rebuilt = new byte[Envelope.OK_PREFIX.length + result.length + 1];
      System.arraycopy(Envelope.OK_PREFIX, 0, rebuilt, 0, Envelope.OK_PREFIX.length);
      System.arraycopy(result, 0, rebuilt, Envelope.OK_PREFIX.length, result.length);
      rebuilt[rebuilt.length - 1] = '}';
      assertArrayEquals(envelope, rebuilt);
    }
  }
}
