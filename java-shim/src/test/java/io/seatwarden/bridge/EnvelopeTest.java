package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Envelope decoding, without the native library. */
class EnvelopeTest {
  @Test
  void successResultIsSlicedOut() {
    assertArrayEquals(utf8("{\"a\":[1]}"), Envelope.unwrap(utf8("{\"ok\":true,\"result\":{\"a\":[1]}}")));
    assertArrayEquals(utf8("null"), Envelope.unwrap(utf8("{\"ok\":true,\"result\":null}")));
  }

  @Test
  void failureBecomesTheMappedExceptionWithDetails() {
    NotFoundException e =
        assertThrows(
            NotFoundException.class,
            () ->
                Envelope.unwrap(
                    utf8(
                        "{\"ok\":false,\"error\":{\"kind\":\"not_found\",\"message\":\"no user"
                            + " `K1`\",\"details\":{\"key\":\"K1\",\"at\":null}}}")));
    assertEquals("no user `K1`", e.getMessage());
    assertEquals("K1", e.details().get("key"));
    assertEquals(true, e.details().containsKey("at"));
  }

  @Test
  void unknownKindIsAnInternalErrorNamingIt() {
    InternalException e =
        assertThrows(
            InternalException.class,
            () ->
                Envelope.unwrap(
                    utf8(
                        "{\"ok\":false,\"error\":{\"kind\":\"teapot\",\"message\":\"m\","
                            + "\"details\":{}}}")));
    assertEquals("unknown error kind `teapot`: m", e.getMessage());
    assertEquals(Map.of(), e.details());
  }

  @Test
  void malformedEnvelopesAreBridgeExceptions() {
    assertThrows(BridgeException.class, () -> Envelope.unwrap(null));
    assertThrows(BridgeException.class, () -> Envelope.unwrap(utf8("")));
    assertThrows(BridgeException.class, () -> Envelope.unwrap(utf8("{\"ok\":true}")));
    assertThrows(BridgeException.class, () -> Envelope.unwrap(utf8("{\"ok\":false}")));
    assertThrows(BridgeException.class, () -> Envelope.unwrap(utf8("[]")));
  }
}
