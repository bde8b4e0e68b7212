package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
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
    return host(null, users);
  }

  private static Host host(DirectoryHeader header, List<DirectoryUser> users) {
    return new Host() {
      @Override
      public DirectoryHeader header() {
        if (header == null) {
          throw new UnsupportedOperationException();
        }
        return header;
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
      byte[] lent = bridge.call(request("usersJson", cursor, limit));
      byte[] raw = answer(lent);
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
      bridge.pageRead(lent);
    } while (cursor != null);
    assertEquals(4, pages); // 302 users: 200 + 50 + 3 + 49
  }

  @Test
  void aPageIsTheBridgesOwnBufferLentUntilItIsRead() {
    HostBridge bridge = new HostBridge(host(users(300)));
    byte[] first = bridge.call(request("usersJson", null, 200));
    // Not given back yet: the next page may not be written into it.
    byte[] second = bridge.call(request("usersJson", "200", 5));
    assertNotSame(first, second);
    byte[] firstAnswer = answer(first);
    bridge.pageRead(second);
    // Given back: the next page is written into it, and its length says where it ends.
    byte[] third = bridge.call(request("usersJson", "205", 2));
    assertSame(second, third);
    assertTrue(answer(third).length < third.length, "the rest of the buffer is not the answer");
    assertEquals(
        List.of("JIRAUSER203", "JIRAUSER204"),
        keys(Json.parseObject(page(answer(third)))));
    // The first answer is still whole.
    assertEquals(200, keys(Json.parseObject(page(firstAnswer))).size());
  }

  @Test
  void specialTextIsEscapedAndEncoded() {
    byte[] raw = answer(new HostBridge(host(users(0))).call(request("usersJson", null, 10)));
    String text = new String(raw, StandardCharsets.UTF_8);
    assertTrue(
        text.startsWith(
            "{\"ok\":true,\"result\":{\"next\":null,\"length\":"
                + String.format("%10d", raw.length)
                + "}}\n{\"users\":[{\"key\":\"K\\\"q\\\\\""),
        text);
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

  /**
   * Property: random users, with text needing every escape, every UTF-8 length, surrogate pairs
   * and lone surrogates, read by the service through the real page path ({@code usersJson} upcalls,
   * lent buffers, the page streamed into the native index) come back from the admin API exactly as
   * they were (a lone surrogate as U+FFFD, as {@link JsonWriter} documents).
   */
  @Test
  void randomUsersReachTheNativeIndexAsTheyWere() {
    for (long seed = 1; seed <= 4; seed++) {
      Random random = new Random(seed);
      List<DirectoryHeader.Group> groups = new ArrayList<>();
      for (int g = 0; g < 12; g++) {
        groups.add(new DirectoryHeader.Group("g" + g + "-" + text(random, 12), false, g % 3 == 0));
      }
      List<DirectoryUser> users = new ArrayList<>();
      int count = 150 + random.nextInt(400);
      for (int i = 0; i < count; i++) {
        List<String> memberOf = new ArrayList<>();
        for (DirectoryHeader.Group g : groups) {
          if (random.nextInt(4) == 0) {
            memberOf.add(g.name());
          }
        }
        long created = Fixtures.NOW - random.nextInt(1 << 30) * 1000L;
        users.add(
            new DirectoryUser(
                "k" + i + "-" + text(random, 10),
                "u" + i + "-" + text(random, 10),
                random.nextInt(10) == 0 ? null : text(random, i % 50 == 0 ? 3000 : 30),
                random.nextInt(10) == 0 ? null : text(random, 20),
                1 + random.nextInt(2),
                random.nextBoolean(),
                created,
                random.nextInt(5) == 0 ? null : created + random.nextInt(1 << 20),
                random.nextInt(3) == 0 ? null : random.nextInt(Integer.MAX_VALUE),
                random.nextInt(2) == 0 ? null : created + 1,
                memberOf));
      }
      DirectoryHeader header =
          new DirectoryHeader(
              Fixtures.NOW,
              List.of(directory(1, DirectoryHeader.DirectoryKind.INTERNAL), directory(2, DirectoryHeader.DirectoryKind.LDAP)),
              groups,
              List.of(),
              List.of());
      try (NativeSeatwarden app =
          NativeSeatwarden.builder()
              .host(host(header, users))
              .store(new io.seatwarden.bridge.testing.InMemoryRecordStore())
              .nodeId("property")
              .pageSize(1 + random.nextInt(120))
              .clock(() -> Fixtures.NOW)
              .open()) {
        Map<String, Map<String, Object>> rows = new HashMap<>();
        for (int p = 1; rows.size() < users.size(); p++) {
          ApiResponse response =
              app.handle(
                  new ApiRequest(
                      "GET",
                      "/api/users",
                      List.of(new ApiRequest.Param("filter", "{\"pageSize\":100,\"page\":" + p + "}")),
                      new byte[0],
                      ServiceFixtures.ADMIN));
          assertEquals(200, response.status(), () -> new String(response.body(), StandardCharsets.UTF_8));
          List<Object> page = Fixtures.rows(Json.parseObject(response.body()));
          assertFalse(page.isEmpty(), "seed " + seed + ": users missing from the index");
          for (Object row : page) {
            @SuppressWarnings("unchecked")
            Map<String, Object> r = (Map<String, Object>) row;
            rows.put((String) r.get("key"), r);
          }
        }
        assertEquals(users.size(), rows.size());
        for (DirectoryUser u : users) {
          Map<String, Object> row = rows.get(utf8(u.key()));
          String where = "seed " + seed + ", user " + u.key().substring(0, u.key().indexOf('-'));
          assertTrue(row != null, where);
          assertEquals(utf8(u.username()), row.get("username"), where);
          assertEquals(u.displayName() == null ? "" : utf8(u.displayName()), row.get("displayName"), where);
          assertEquals(u.email() == null ? "" : utf8(u.email()), row.get("email"), where);
          assertEquals(u.directoryId(), row.get("directory"), where);
          assertEquals(u.active(), row.get("active"), where);
          assertEquals(u.created(), row.get("created"), where);
          assertEquals(u.lastLogin(), row.get("lastLogin"), where);
          assertEquals(u.loginCount() == null ? null : (long) u.loginCount(), row.get("loginCount"), where);
          Set<String> expected = new HashSet<>();
          u.groups().forEach(g -> expected.add(utf8(g)));
          @SuppressWarnings("unchecked")
          List<Object> got = (List<Object>) row.get("groups");
          assertEquals(expected, new HashSet<>(got), where);
          assertEquals(expected.size(), got.size(), where);
        }
      }
    }
  }

  private static DirectoryHeader.Directory directory(long id, DirectoryHeader.DirectoryKind kind) {
    return new DirectoryHeader.Directory(
        id, "dir " + id, kind, new DirectoryHeader.Capabilities(true, true, true, true, true), List.of());
  }

  /** Characters of every kind the encoder treats differently. */
  private static final String[] PIECES = {
    "a", "Z", "0", " ", "/", "\"", "\\", "\n", "\r", "\t", "\u0000", "\u0001", "\u001f", "\u007f",
    "\u00e9", "\u00df", "\u07ff", "\u0800", "\u20ac", "\u65e5", "\uffff", "\ud83d\ude00", "\ud834\udd1e",
    "\ud800", "\udfff", "plain ascii run ",
  };

  /** Up to {@code max} pieces of random text. */
  private static String text(Random random, int max) {
    StringBuilder out = new StringBuilder();
    int n = random.nextInt(max + 1);
    boolean plain = random.nextInt(3) == 0;
    for (int i = 0; i < n; i++) {
      out.append(plain ? PIECES[random.nextInt(5)] : PIECES[random.nextInt(PIECES.length)]);
    }
    return out.toString();
  }

  /** What UTF-8 can carry of {@code s}: each lone surrogate becomes U+FFFD. */
  private static String utf8(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else {
        out.append(Character.isSurrogate(c) ? '\ufffd' : c);
      }
    }
    return out.toString();
  }

  /** The answer in a lent page buffer: its first {@code length} bytes. */
  static byte[] answer(byte[] lent) {
    int newline = indexOf(lent, (byte) '\n');
    Map<String, Object> envelope = Json.parseObject(java.util.Arrays.copyOf(lent, newline));
    long length = (Long) Codec.object(envelope.get("result"), "result").get("length");
    assertTrue(length > newline && length <= lent.length, "length " + length);
    return java.util.Arrays.copyOf(lent, (int) length);
  }

  /** The page after an answer's envelope. */
  private static byte[] page(byte[] answer) {
    int newline = indexOf(answer, (byte) '\n');
    return java.util.Arrays.copyOfRange(answer, newline + 1, answer.length);
  }

  @SuppressWarnings("unchecked")
  private static List<String> keys(Map<String, Object> page) {
    List<String> keys = new ArrayList<>();
    for (Object user : (List<Object>) page.get("users")) {
      keys.add((String) ((Map<String, Object>) user).get("key"));
    }
    return keys;
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
