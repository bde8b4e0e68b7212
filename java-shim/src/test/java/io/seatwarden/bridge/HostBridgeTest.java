package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link HostBridge}'s page answers: {@code usersJson} (envelope, newline, the page as in a
 * snapshot file) says exactly what {@code users} says, whatever the text, page after page from
 * its reused buffer.
 */
class HostBridgeTest {
  /** Users whose text needs every kind of escape and encoding, plus plain ones. */
  private static List<DirectoryUser> users(int plain) {
    List<DirectoryUser> out = new ArrayList<>();
    out.add(
        new DirectoryUser(
            "K\"q\\", "quote\"back\\slash", "Tab\there\nnew\u0001ctl", null, 1, true,
            1_700_000_000_000L, null, null, null, List.of("a\"g", "b\\g")));
    out.add(
        new DirectoryUser(
            "K-é", "zoë", "Ünïcödé 日本 \uD83D\uDE00 lone\uD800x", "e@example.invalid", 2, false,
            1_600_000_000_000L, 1_700_000_000_123L, 42, 1_700_000_000_999L, new LinkedList<>(List.of())));
    for (int i = 0; i < plain; i++) {
      out.add(
          new DirectoryUser(
              "JIRAUSER" + i, "user" + i, "User " + i, "user" + i + "@example.invalid", 1, true,
              1_650_000_000_000L + i, i % 2 == 0 ? null : -5L + i, i, null, List.of("staff", "jira-users")));
    }
    return out;
  }

  /** Pages of {@code users}, {@code cursor} = index of the next user. */
  private static Host host(List<DirectoryUser> users) {
    return new Host() {
      @Override
      public DirectoryHeader header() {
        throw new UnsupportedOperationException();
      }

      @Override
      public UsersPage users(String cursor, int limit) {
        if ("down".equals(cursor)) {
          throw new HostUnavailableException("directory offline");
        }
        int from = cursor == null ? 0 : Integer.parseInt(cursor);
        int to = Math.min(users.size(), from + limit);
        // A LinkedList: the encoder must iterate, not index.
        return new UsersPage(
            new LinkedList<>(users.subList(from, to)), to < users.size() ? Integer.toString(to) : null);
      }

      @Override
      public Optional<DirectoryUser> user(String key) {
        return Optional.empty();
      }

      @Override
      public Optional<DirectoryUser> userByUsername(String username) {
        return Optional.empty();
      }

      @Override
      public OperationResult apply(Operation operation) {
        return OperationResult.failed(OperationResult.FailureKind.PERMISSION_DENIED);
      }
    };
  }

  private static byte[] request(String method, String cursor, int limit) {
    JsonWriter w = new JsonWriter();
    w.beginObject().name("method").value(method);
    w.comma().name("cursor").value(cursor).comma().name("limit").value(limit);
    return w.endObject().toBytes();
  }

  @Test
  void rawPagesSayWhatDecodedPagesSay() {
    List<DirectoryUser> all = users(300);
    HostBridge bridge = new HostBridge(host(all));
    String cursor = null;
    int pages = 0;
    // Big pages first, then small ones from the same (reused) buffer: no stale bytes.
    int[] limits = {200, 50, 3, 1000};
    do {
      int limit = limits[Math.min(pages, limits.length - 1)];
      byte[] raw = bridge.call(request("usersJson", cursor, limit));
      byte[] decoded = bridge.call(request("users", cursor, limit));
      int newline = indexOf(raw, (byte) '\n');
      assertTrue(newline > 0, "an envelope, then a newline");
      Map<String, Object> envelope = Json.parseObject(java.util.Arrays.copyOf(raw, newline));
      Map<String, Object> page =
          Json.parseObject(java.util.Arrays.copyOfRange(raw, newline + 1, raw.length));
      Map<String, Object> expected = Json.parseObject(decoded);
      assertEquals(true, envelope.get("ok"));
      Map<String, Object> result = Codec.object(expected.get("result"), "result");
      assertEquals(result.get("next"), Codec.object(envelope.get("result"), "result").get("next"));
      assertEquals(Map.of("users", result.get("users")), page);
      cursor = (String) result.get("next");
      pages++;
    } while (cursor != null);
    assertEquals(4, pages); // 302 users: 200 + 50 + 3 + 49
  }

  @Test
  void specialTextIsEscapedAndEncoded() {
    byte[] raw = new HostBridge(host(users(0))).call(request("usersJson", null, 10));
    String text = new String(raw, StandardCharsets.UTF_8);
    assertTrue(text.startsWith("{\"ok\":true,\"result\":{\"next\":null}}\n{\"users\":[{\"key\":\"K\\\"q\\\\\""), text);
    assertTrue(text.contains("\"displayName\":\"Tab\\there\\nnew\\u0001ctl\",\"email\":\"\""), text);
    assertTrue(text.contains("Ünïcödé 日本 \uD83D\uDE00 lone\uFFFDx"), text);
    assertTrue(
        text.contains(
            "\"active\":false,\"created\":1600000000000,\"lastLogin\":1700000000123,"
                + "\"loginCount\":42,\"deactivatedAt\":1700000000999,\"groups\":[]}"),
        text);
    assertTrue(text.contains("\"groups\":[\"a\\\"g\",\"b\\\\g\"]"), text);
  }

  @Test
  void anUnavailableHostAnswersTheEnvelopeAlone() {
    byte[] raw = new HostBridge(host(users(1))).call(request("usersJson", "down", 10));
    assertEquals(-1, indexOf(raw, (byte) '\n'));
    Map<String, Object> reply = Json.parseObject(raw);
    assertFalse((Boolean) reply.get("ok"));
    assertEquals("unavailable", Codec.object(reply.get("error"), "error").get("kind"));
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
