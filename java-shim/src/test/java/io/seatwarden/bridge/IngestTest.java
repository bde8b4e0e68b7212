package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.queryRequest;
import static io.seatwarden.bridge.Fixtures.snapshot;
import static io.seatwarden.bridge.Fixtures.toJson;
import static io.seatwarden.bridge.Fixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Building an engine page by page, as a Java host with many users does. */
class IngestTest {
  private static final Map<String, Object> FILE = Json.parseObject(snapshot());

  private static byte[] beginRequest(Object header) {
    return utf8("{\"version\":1,\"header\":" + toJson(header) + "}");
  }

  @SuppressWarnings("unchecked")
  private static byte[] page(int n) {
    return utf8(toJson(((List<Object>) FILE.get("pages")).get(n)));
  }

  @Test
  void pagesBuildTheSameEngineAsTheWholeFile() {
    try (EngineBuilder builder = EngineBuilder.begin(beginRequest(FILE.get("header")))) {
      assertEquals(3, builder.addPage(page(0)));
      assertEquals(6, builder.addPage(page(1)));
      try (Engine paged = builder.finish();
          Engine whole = Engine.open(snapshot())) {
        assertEquals(whole.userCount(), paged.userCount());
        byte[] request = queryRequest("{\"sort\":\"lastLogin\",\"order\":\"desc\"}");
        assertArrayEquals(whole.query(request), paged.query(request));
      }
    }
  }

  @Test
  void aRejectedPageThrowsKeepsNothingAndTheBuildGoesOn() {
    try (EngineBuilder builder = EngineBuilder.begin(beginRequest(FILE.get("header")))) {
      builder.addPage(page(0));
      BadRequestException e =
          assertThrows(
              BadRequestException.class,
              () ->
                  builder.addPage(
                      utf8(
                          "{\"users\":[{\"key\":\"K9\",\"username\":\"u9\",\"directoryId\":77,"
                              + "\"active\":true,\"created\":1600000000000}]}")));
      assertEquals("unknown_directory", e.details().get("snapshotError"));
      assertTrue(e.getMessage().contains("`K9`"), e.getMessage());
      assertEquals(6, builder.addPage(page(1)));
      try (Engine engine = builder.finish()) {
        assertEquals(6, engine.userCount());
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void anInvalidHeaderStartsNothing() {
    Map<String, Object> header = new LinkedHashMap<>((Map<String, Object>) FILE.get("header"));
    header.put("takenAt", 5L);
    BadRequestException e =
        assertThrows(BadRequestException.class, () -> EngineBuilder.begin(beginRequest(header)));
    assertEquals("taken_at", e.details().get("snapshotError"));
    assertThrows(
        UnsupportedVersionException.class,
        () -> EngineBuilder.begin(utf8("{\"version\":3,\"header\":{}}")));
  }

  @Test
  void aFailingFinishEndsTheBuildWithoutAnEngine() {
    long before = NativeTesting.testOpenHandles();
    try (EngineBuilder builder = EngineBuilder.begin(beginRequest(FILE.get("header")))) {
      builder.addPage(page(1)); // the header's sysadmin is on page 0
      BadRequestException e = assertThrows(BadRequestException.class, builder::finish);
      assertEquals("unknown_sysadmin", e.details().get("snapshotError"));
      assertThrows(EngineClosedException.class, builder::finish);
      assertThrows(EngineClosedException.class, () -> builder.addPage(page(0)));
    }
    assertEquals(before, NativeTesting.testOpenHandles());
  }

  @Test
  void closeAbandonsTheBuild() {
    EngineBuilder builder = EngineBuilder.begin(beginRequest(FILE.get("header")));
    builder.addPage(page(0));
    builder.close();
    builder.close();
    assertThrows(EngineClosedException.class, () -> builder.addPage(page(1)));
    assertFalse(Native.ingestAbort(builder.handle()), "already dropped natively");
    EngineClosedException e =
        assertThrows(
            EngineClosedException.class,
            () -> Envelope.unwrap(Native.ingestPage(builder.handle(), page(1))));
    assertEquals(builder.handle(), e.details().get("handle"));
    assertThrows(
        EngineClosedException.class, () -> Envelope.unwrap(Native.ingestFinish(builder.handle())));
  }
}
