package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.queryRequest;
import static io.seatwarden.bridge.Fixtures.snapshot;
import static io.seatwarden.bridge.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Panics, error kinds and upcalls through the testing entry points of the real library. */
class FailureTest {
  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  @Test
  void panicInsideTheShieldIsAnInternalErrorWithoutTheInput() {
    InternalException e =
        assertThrows(
            InternalException.class,
            () -> Envelope.unwrap(NativeTesting.testPanic(utf8("alice@example.invalid"))));
    assertEquals(ErrorKind.INTERNAL, e.kind());
    assertEquals("internal error in the native library", e.getMessage());
    assertFalse(e.toString().contains("alice"), e.toString());
    Object location = e.details().get("location");
    assertTrue(
        location instanceof String && ((String) location).contains("testing.rs"),
        String.valueOf(location));
  }

  @Test
  void panicOutsideTheShieldIsThrownAsInternalException() {
    InternalException e =
        assertThrows(InternalException.class, NativeTesting::testPanicUnshielded);
    assertTrue(e.getMessage().startsWith("internal error in the native library at "), e.getMessage());
  }

  @Test
  void theJvmAndTheLibraryLiveOnAfterPanics() {
    for (int i = 0; i < 10; i++) {
      assertThrows(InternalException.class, NativeTesting::testPanicUnshielded);
      assertThrows(
          InternalException.class, () -> Envelope.unwrap(NativeTesting.testPanic(utf8("x"))));
    }
    try (Engine engine = Engine.open(snapshot())) {
      assertEquals(6L, Json.parseObject(engine.query(queryRequest("{}"))).get("total"));
    }
  }

  @ParameterizedTest
  @EnumSource(value = ErrorKind.class, names = "BRIDGE", mode = EnumSource.Mode.EXCLUDE)
  void eachErrorKindMapsToItsException(ErrorKind kind) {
    byte[] request = utf8("{\"version\":1,\"kind\":\"" + kind.wireName() + "\"}");
    SeatwardenException e =
        assertThrows(
            SeatwardenException.class, () -> Envelope.unwrap(NativeTesting.testError(request)));
    assertEquals(kind, e.kind());
    assertEquals(expectedClass(kind), e.getClass());
    assertEquals("test error of kind `" + kind.wireName() + "`", e.getMessage());
    assertEquals(Map.of("test", true), e.details());
  }

  @Test
  void everyKindHasItsOwnExceptionClass() {
    long distinct =
        java.util.Arrays.stream(ErrorKind.values())
            .map(k -> k.exception("m", Map.of()).getClass())
            .distinct()
            .count();
    assertEquals(ErrorKind.values().length, distinct);
    for (ErrorKind kind : ErrorKind.values()) {
      assertEquals(kind, ErrorKind.fromWireName(kind.wireName()));
      assertEquals(kind, kind.exception("m", Map.of()).kind());
    }
  }

  @Test
  void upcallIntoAJavaObjectRoundTrips() {
    NativeTesting.Callback doubler =
        payload -> utf8("{\"length\":" + payload.length + ",\"echo\":" + new String(payload, java.nio.charset.StandardCharsets.UTF_8) + "}");
    byte[] result = Envelope.unwrap(NativeTesting.testCallback(doubler, utf8("[1,2,3]")));
    assertArrayEquals(utf8("{\"length\":7,\"echo\":[1,2,3]}"), result);
  }

  @Test
  void thousandsOfUpcallsInOneCallReleaseTheirLocalReferences() {
    // Each answer is the next payload: a counter that must reach 5000.
    NativeTesting.Callback increment =
        payload -> {
          long n = Long.parseLong(new String(payload, java.nio.charset.StandardCharsets.UTF_8));
          return utf8(Long.toString(n + 1));
        };
    byte[] result = Envelope.unwrap(NativeTesting.testCallbackRepeat(increment, utf8("0"), 5000));
    assertArrayEquals(utf8("5000"), result);
  }

  @Test
  void anExceptionThrownByAnUpcallPropagatesUnchanged() {
    IllegalStateException thrown = new IllegalStateException("from java");
    NativeTesting.Callback failing =
        payload -> {
          throw thrown;
        };
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> NativeTesting.testCallback(failing, utf8("{}")));
    assertSame(thrown, e);
    // The library is still fine afterwards.
    assertEquals(1, Engine.libraryInfo().bridgeVersion());
  }

  @Test
  void anUpcallReturningNullIsABridgeException() {
    NativeTesting.Callback nothing = payload -> null;
    assertThrows(BridgeException.class, () -> NativeTesting.testCallback(nothing, utf8("{}")));
  }

  private static Class<?> expectedClass(ErrorKind kind) {
    return switch (kind) {
      case BAD_REQUEST -> BadRequestException.class;
      case UNSUPPORTED_VERSION -> UnsupportedVersionException.class;
      case NOT_FOUND -> NotFoundException.class;
      case CONFLICT -> ConflictException.class;
      case CLOSED -> EngineClosedException.class;
      case UNAVAILABLE -> UnavailableException.class;
      case INTERNAL -> InternalException.class;
      case BRIDGE -> BridgeException.class;
    };
  }
}
