package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.DAY;
import static io.seatwarden.bridge.ServiceFixtures.DAY0;
import static io.seatwarden.bridge.ServiceFixtures.TICK;
import static io.seatwarden.bridge.ServiceFixtures.createPolicy;
import static io.seatwarden.bridge.ServiceFixtures.open;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The login hook's fast path ({@code serviceLoginFast}, no JSON for "nothing to do") answers
 * exactly what the JSON path ({@code serviceLogin}) answers, for every kind of outcome. A login
 * writes, so each kind runs on two services over identical directories, one per path.
 */
class LoginFastPathTest {
  private static final String REACTIVATE_LIVE =
      "{\"name\":\"Back\",\"mode\":\"live\",\"action\":{\"kind\":\"reactivate\"}}";
  private static final String REACTIVATE_SAFE =
      "{\"name\":\"Back\",\"mode\":\"safe\",\"action\":{\"kind\":\"reactivate\"}}";
  /** 1 admin + 16 idle + 3 fresh = 20 of 20 seats: a floating grant finds no seat. */
  private static final String FLOATING =
      "{\"name\":\"Float\",\"mode\":\"live\",\"trigger\":{\"kind\":\"login\"},"
          + "\"condition\":{\"kind\":\"login\"},\"action\":{\"kind\":\"floating_licence\","
          + "\"rules\":[{\"sourceGroups\":[\"marketing-users\"],"
          + "\"targetGroups\":[\"jira-software-users\"]}]}}";

  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  /** The directory of a case: the organisation plus a deactivated user of the read-only LDAP. */
  private static InMemoryHost directory(int idle) {
    return organisation(idle)
        .user("K-ldapgone", "ldapgone", 2, false, DAY0 - 900 * DAY, DAY0 - 300 * DAY, "staff");
  }

  /** The login of {@code username} through {@code path} on a fresh service with {@code policy}. */
  private static LoginOutcome login(
      int idle, String policy, String username, Function<NativeSeatwarden, LoginOutcome> path) {
    try (NativeSeatwarden app = open(directory(idle), new InMemoryRecordStore(), DAY0)) {
      if (policy != null) {
        assertEquals(201, createPolicy(app, policy).status());
      }
      return path.apply(app);
    }
  }

  /** Both paths' outcomes for one case; they must be equal. */
  private static LoginOutcome agree(int idle, String policy, String username) {
    LoginOutcome json = login(idle, policy, username, app -> app.onLoginJson(username, TICK));
    LoginOutcome fast = login(idle, policy, username, app -> app.onLogin(username, TICK));
    assertEquals(json, fast, username + " under " + policy);
    return fast;
  }

  @Test
  void theFastAndJsonPathsAgreeOnEveryKindOfOutcome() {
    // Nothing to do, known user (the compact answer with the key).
    LoginOutcome nothing = agree(2, REACTIVATE_LIVE, "fresh0000");
    assertEquals("K-fresh0000", nothing.user());
    assertTrue(nothing.applied().isEmpty() && nothing.previewed().isEmpty());
    // Nothing to do, no login policy at all.
    assertEquals("K-fresh0001", agree(2, null, "fresh0001").user());
    // A user the directory does not know (the compact answer without a key).
    LoginOutcome unknown = agree(2, REACTIVATE_LIVE, "nobody");
    assertNull(unknown.user());
    // A write applied (the envelope).
    LoginOutcome applied = agree(2, REACTIVATE_LIVE, "gone0001");
    assertEquals(List.of(new Operation.Activate("K-gone0001")), applied.applied());
    // A write a safe-mode policy only previews.
    LoginOutcome previewed = agree(2, REACTIVATE_SAFE, "gone0001");
    assertEquals(List.of(new Operation.Activate("K-gone0001")), previewed.previewed());
    assertTrue(previewed.applied().isEmpty());
    // A floating grant that finds no seat (skipped: the envelope too) and one that takes a seat.
    LoginOutcome full = agree(16, FLOATING, "mkt0000");
    assertTrue(full.applied().isEmpty(), full.toString());
    LoginOutcome seat = agree(2, FLOATING, "mkt0001");
    assertFalse(seat.applied().isEmpty(), seat.toString());
    // A deactivated user of a read-only directory: whatever the engine decides, alike.
    agree(2, REACTIVATE_LIVE, "ldapgone");
    // A username with characters outside ASCII crosses as UTF-8 either way.
    assertNull(agree(2, REACTIVATE_LIVE, "zoë-名前").user());
  }

  @Test
  void errorsAreTheSameTypedExceptionsOnBothPaths() {
    InMemoryHost host = directory(2);
    try (NativeSeatwarden app = open(host, new InMemoryRecordStore(), DAY0)) {
      host.setUnavailable(true);
      UnavailableException json =
          assertThrows(UnavailableException.class, () -> app.onLoginJson("fresh0000", TICK));
      UnavailableException fast =
          assertThrows(UnavailableException.class, () -> app.onLogin("fresh0000", TICK));
      assertEquals(json.getMessage(), fast.getMessage());
      assertEquals(json.details(), fast.details());
      host.setUnavailable(false);
      assertEquals("K-fresh0000", app.onLogin("fresh0000", TICK).user());
    }
  }

  @Test
  void theCompactAnswerIsATagAndTheKey() {
    try (NativeSeatwarden app = open(directory(2), new InMemoryRecordStore(), DAY0)) {
      long h = app.nativeHandle();
      byte[] known =
          Native.serviceLoginFast(h, "fresh0000".getBytes(StandardCharsets.UTF_8), TICK);
      assertArrayEquals("\0K-fresh0000".getBytes(StandardCharsets.UTF_8), known);
      assertArrayEquals(
          new byte[] {1}, Native.serviceLoginFast(h, "nobody".getBytes(StandardCharsets.UTF_8), TICK));
      BadRequestException notUtf8 =
          assertThrows(
              BadRequestException.class,
              () -> Codec.fastLoginOutcome(Native.serviceLoginFast(h, new byte[] {(byte) 0xff}, TICK)));
      assertTrue(notUtf8.getMessage().contains("UTF-8"), notUtf8.getMessage());
    }
    assertThrows(
        EngineClosedException.class,
        () -> Codec.fastLoginOutcome(Native.serviceLoginFast(987_654_321L, new byte[] {'a'}, TICK)));
  }
}
