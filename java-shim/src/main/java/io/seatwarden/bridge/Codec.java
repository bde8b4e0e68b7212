package io.seatwarden.bridge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one place the bridge's Java values become JSON and back: the snapshot shapes of {@code
 * docs/snapshot.md} for the host's answers, the operations of {@code seatwarden_core::operation},
 * and the service's requests and reports ({@code docs/jni.md}).
 */
final class Codec {
  static final int VERSION = NativeLoader.BRIDGE_VERSION;

  private Codec() {}

  // ---- the host's directory, in the snapshot format ----

  static void header(JsonWriter w, DirectoryHeader h) {
    w.beginObject().name("takenAt").value(h.takenAt());
    w.comma().name("directories").beginArray();
    String sep = "";
    for (DirectoryHeader.Directory d : h.directories()) {
      w.raw(sep);
      sep = ",";
      DirectoryHeader.Capabilities c = d.capabilities();
      w.beginObject().name("id").value(d.id());
      w.comma().name("name").value(d.name());
      w.comma().name("kind").value(d.kind().name().toLowerCase(Locale.ROOT));
      w.comma().name("capabilities").beginObject();
      w.name("updateUser").value(c.updateUser());
      w.comma().name("renameUser").value(c.renameUser());
      w.comma().name("deleteUser").value(c.deleteUser());
      w.comma().name("createUser").value(c.createUser());
      w.comma().name("updateMembership").value(c.updateMembership());
      w.endObject();
      w.comma().name("localGroups");
      strings(w, d.localGroups());
      w.endObject();
    }
    w.endArray().comma().name("groups").beginArray();
    sep = "";
    for (DirectoryHeader.Group g : h.groups()) {
      w.raw(sep);
      sep = ",";
      w.beginObject().name("name").value(g.name());
      w.comma().name("admin").value(g.admin());
      w.comma().name("licence").value(g.licence()).endObject();
    }
    w.endArray().comma().name("licences").beginArray();
    sep = "";
    for (DirectoryHeader.Licence l : h.licences()) {
      w.raw(sep);
      sep = ",";
      w.beginObject().name("application").value(l.application());
      w.comma().name("name").value(l.name());
      w.comma().name("limit");
      if (l.seatLimit() == null) {
        w.raw("{\"kind\":\"unlimited\"}");
      } else {
        w.raw("{\"kind\":\"limited\",\"seats\":").value(l.seatLimit()).endObject();
      }
      w.comma().name("seatsUsed").value(l.seatsUsed());
      w.comma().name("groups");
      strings(w, l.groups());
      w.endObject();
    }
    w.endArray().comma().name("sysadmins");
    strings(w, h.sysadmins());
    List<DirectoryHeader.Signal> signals = h.signals();
    if (signals != null && !signals.isEmpty()) {
      w.comma().name("signals").beginArray();
      sep = "";
      for (DirectoryHeader.Signal s : signals) {
        w.raw(sep);
        sep = ",";
        w.beginObject().name("kind").value(s.kind());
        if (s.product() != null) {
          w.comma().name("product").value(s.product());
        }
        if (s.since() != null) {
          w.comma().name("since").value(s.since().longValue());
        }
        if (!s.gaps().isEmpty()) {
          w.comma().name("gaps").beginArray();
          String gapSep = "";
          for (DirectoryHeader.Gap g : s.gaps()) {
            w.raw(gapSep);
            gapSep = ",";
            w.beginObject().name("from").value(g.from()).comma().name("to").value(g.to()).endObject();
          }
          w.endArray();
        }
        w.endObject();
      }
      w.endArray();
    }
    w.endObject();
  }

  // A user's field names with their separators, encoded once: a page is written a field at a time
  // into one reused buffer, with no String or Map per user.
  private static final byte[] KEY = ascii("{\"key\":");
  private static final byte[] USERNAME = ascii(",\"username\":");
  private static final byte[] DISPLAY_NAME = ascii(",\"displayName\":");
  private static final byte[] EMAIL = ascii(",\"email\":");
  private static final byte[] DIRECTORY_ID = ascii(",\"directoryId\":");
  private static final byte[] ACTIVE_TRUE = ascii(",\"active\":true,\"created\":");
  private static final byte[] ACTIVE_FALSE = ascii(",\"active\":false,\"created\":");
  private static final byte[] LAST_LOGIN = ascii(",\"lastLogin\":");
  private static final byte[] LOGIN_COUNT = ascii(",\"loginCount\":");
  private static final byte[] DEACTIVATED_AT = ascii(",\"deactivatedAt\":");
  private static final byte[] GROUPS = ascii(",\"groups\":[");
  private static final byte[] ACTIVITY = ascii(",\"activity\":[");
  private static final byte[] EMPTY_STRING = ascii("\"\"");
  private static final byte[] PAGE_START = ascii("{\"users\":[");

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static void user(JsonWriter w, DirectoryUser u) {
    w.raw(KEY).value(u.key());
    w.raw(USERNAME).value(u.username());
    w.raw(DISPLAY_NAME);
    if (u.displayName() == null) {
      w.raw(EMPTY_STRING);
    } else {
      w.value(u.displayName());
    }
    w.raw(EMAIL);
    if (u.email() == null) {
      w.raw(EMPTY_STRING);
    } else {
      w.value(u.email());
    }
    w.raw(DIRECTORY_ID).value(u.directoryId());
    w.raw(u.active() ? ACTIVE_TRUE : ACTIVE_FALSE).value(u.created());
    // Absent means null in the snapshot format; leaving nulls out keeps a page ~15 % smaller.
    if (u.lastLogin() != null) {
      w.raw(LAST_LOGIN).value(u.lastLogin().longValue());
    }
    if (u.loginCount() != null) {
      w.raw(LOGIN_COUNT).value(u.loginCount().longValue());
    }
    if (u.deactivatedAt() != null) {
      w.raw(DEACTIVATED_AT).value(u.deactivatedAt().longValue());
    }
    w.raw(GROUPS);
    List<String> groups = u.groups();
    if (groups != null) {
      boolean first = true;
      for (String g : groups) {
        if (!first) {
          w.comma();
        }
        first = false;
        w.repeatedValue(g);
      }
    }
    w.endArray();
    List<Long> activity = u.activity();
    if (activity != null && !activity.isEmpty()) {
      w.raw(ACTIVITY);
      boolean first = true;
      for (Long v : activity) {
        if (!first) {
          w.comma();
        }
        first = false;
        w.value(v);
      }
      w.endArray();
    }
    w.endObject();
  }

  /** A users page with its cursor, as the {@code users} method answers it. */
  static void usersPage(JsonWriter w, UsersPage page) {
    w.beginObject().name("users");
    userList(w, page.users());
    w.comma().name("next").value(page.next()).endObject();
  }

  /**
   * Just the page, {@code {"users":[…]}} as in a snapshot file: what the {@code usersJson} method
   * sends after its envelope, for the native side to stream into its index.
   */
  static void pageOnly(JsonWriter w, UsersPage page) {
    w.raw(PAGE_START);
    users(w, page.users());
    w.endArray().endObject();
  }

  private static void userList(JsonWriter w, List<DirectoryUser> users) {
    w.beginArray();
    users(w, users);
    w.endArray();
  }

  /** The users, comma-separated (any {@code List}: iterated, never indexed). */
  private static void users(JsonWriter w, List<DirectoryUser> users) {
    boolean first = true;
    for (DirectoryUser u : users) {
      if (!first) {
        w.comma();
      }
      first = false;
      user(w, u);
    }
  }

  static void strings(JsonWriter w, List<String> values) {
    w.beginArray();
    if (values != null) {
      String sep = "";
      for (String v : values) {
        w.raw(sep);
        sep = ",";
        w.value(v);
      }
    }
    w.endArray();
  }

  // ---- operations ----

  /** An operation as {@code seatwarden_core::operation::Operation} serialises it. */
  static Operation operation(Object json) {
    Map<String, Object> m = object(json, "operation");
    String op = string(m, "op");
    return switch (op) {
      case "activate" -> new Operation.Activate(string(m, "user"));
      case "deactivate" -> new Operation.Deactivate(string(m, "user"));
      case "rename" -> new Operation.Rename(string(m, "user"), string(m, "to"));
      case "delete" -> new Operation.Delete(string(m, "user"));
      case "add_to_group" -> new Operation.AddToGroup(string(m, "user"), string(m, "group"));
      case "remove_from_group" ->
          new Operation.RemoveFromGroup(string(m, "user"), string(m, "group"));
      case "reassign_issues" ->
          new Operation.ReassignIssues(string(m, "user"), handover(m.get("to")));
      case "create_group" -> new Operation.CreateGroup(string(m, "group"));
      case "delete_group" -> new Operation.DeleteGroup(string(m, "group"));
      case "create_user" ->
          new Operation.CreateUser(
              string(m, "username"),
              optionalString(m, "display_name"),
              optionalString(m, "email"),
              optionalLong(m, "directory"),
              Boolean.TRUE.equals(m.get("active")));
      case "update_user" ->
          new Operation.UpdateUser(
              string(m, "user"), optionalString(m, "display_name"), optionalString(m, "email"));
      default -> throw malformed("unknown operation `" + op + "`");
    };
  }

  private static Operation.Handover handover(Object json) {
    Map<String, Object> m = object(json, "handover");
    String to = string(m, "to");
    return switch (to) {
      case "unassigned" -> new Operation.Handover.Unassigned();
      case "project_lead" -> new Operation.Handover.ProjectLead();
      case "user" -> new Operation.Handover.ToUser(string(m, "user"));
      default -> throw malformed("unknown handover `" + to + "`");
    };
  }

  static List<Operation> operations(Object json) {
    List<Operation> out = new ArrayList<>();
    for (Object item : list(json, "operations")) {
      out.add(operation(item));
    }
    return List.copyOf(out);
  }

  // ---- the service ----

  static byte[] apiRequest(ApiRequest r, long now) {
    JsonWriter w = new JsonWriter(256 + (r.body() == null ? 0 : r.body().length));
    w.beginObject().name("version").value(VERSION);
    w.comma().name("now").value(now);
    w.comma().name("method").value(r.method());
    w.comma().name("path").value(r.path());
    pairs(w, "query", r.query(), ApiRequest.Param::name, ApiRequest.Param::value);
    body(w, r.body());
    ApiRequest.Context c = r.context();
    if (c != null) {
      w.comma().name("context").beginObject();
      w.name("actor").value(c.actor());
      w.comma().name("sysadmin").value(c.sysadmin());
      w.comma().name("clientIp").value(c.clientIp());
      w.comma().name("xsrfVerified").value(c.xsrfVerified());
      w.comma().name("websudoVerified").value(c.websudoVerified());
      w.endObject();
    }
    return w.endObject().toBytes();
  }

  static byte[] publicRequest(PublicRequest r, long now) {
    JsonWriter w = new JsonWriter(256 + (r.body() == null ? 0 : r.body().length));
    w.beginObject().name("version").value(VERSION);
    w.comma().name("now").value(now);
    w.comma().name("method").value(r.method());
    w.comma().name("path").value(r.path());
    pairs(w, "query", r.query(), ApiRequest.Param::name, ApiRequest.Param::value);
    pairs(w, "headers", r.headers(), ApiResponse.Header::name, ApiResponse.Header::value);
    body(w, r.body());
    if (r.clientIp() != null) {
      w.comma().name("clientIp").value(r.clientIp());
    }
    return w.endObject().toBytes();
  }

  /** {@code ,"name":[[a,b],...]}: a list of name/value pairs (null: empty). */
  private static <T> void pairs(
      JsonWriter w,
      String name,
      List<T> items,
      java.util.function.Function<T, String> first,
      java.util.function.Function<T, String> second) {
    w.comma().name(name).beginArray();
    String sep = "";
    if (items != null) {
      for (T item : items) {
        w.raw(sep);
        sep = ",";
        w.beginArray().value(first.apply(item)).comma().value(second.apply(item)).endArray();
      }
    }
    w.endArray();
  }

  /** {@code ,"body":text} when UTF-8, else {@code ,"bodyHex":hex}; nothing when empty. */
  private static void body(JsonWriter w, byte[] body) {
    if (body != null && body.length > 0) {
      String text = utf8OrNull(body);
      if (text != null) {
        w.comma().name("body").value(text);
      } else {
        w.comma().name("bodyHex").value(HexFormat.of().formatHex(body));
      }
    }
  }

  static ApiResponse apiResponse(byte[] result) {
    return apiResponse(Json.parseObject(result));
  }

  /** A response (or, with no body, a streamed response's head) already parsed. */
  static ApiResponse apiResponse(Map<String, Object> m) {
    List<ApiResponse.Header> headers = new ArrayList<>();
    for (Object pair : list(m.get("headers"), "headers")) {
      List<Object> nv = list(pair, "header");
      if (nv.size() != 2 || !(nv.get(0) instanceof String) || !(nv.get(1) instanceof String)) {
        throw malformed("a header is not a [name, value] pair");
      }
      headers.add(new ApiResponse.Header((String) nv.get(0), (String) nv.get(1)));
    }
    byte[] body;
    if (m.get("body") instanceof String) {
      body = ((String) m.get("body")).getBytes(StandardCharsets.UTF_8);
    } else if (m.get("bodyHex") instanceof String) {
      body = HexFormat.of().parseHex((String) m.get("bodyHex"));
    } else {
      body = new byte[0];
    }
    return new ApiResponse(
        Math.toIntExact(number(m, "status")), string(m, "contentType"), List.copyOf(headers), body);
  }

  static byte[] loginRequest(String username, long now) {
    return loginWriter(username, now).endObject().toBytes();
  }

  /** A login request with one more string field. */
  static byte[] loginRequest(String username, long now, String name, String value) {
    JsonWriter w = loginWriter(username, now);
    w.comma().name(name).value(value);
    return w.endObject().toBytes();
  }

  /** {@code serviceLogin}'s request for the login the filter verified. */
  static byte[] completedLoginRequest(String username, long now) {
    JsonWriter w = loginWriter(username, now);
    w.comma().name("completes").value(true);
    return w.endObject().toBytes();
  }

  /** {@code serviceLoginCheck}'s request with what the filter saw of the account. */
  static byte[] loginCheckRequest(
      String username, long now, LoginCheck.AccountState state, LoginCheck.InactiveRefusal refusal) {
    JsonWriter w = loginWriter(username, now);
    w.comma().name("state").value(state.wireName());
    w.comma().name("inactiveRefusal").value(refusal.wireName());
    return w.endObject().toBytes();
  }

  private static JsonWriter loginWriter(String username, long now) {
    JsonWriter w = new JsonWriter();
    w.beginObject().name("version").value(VERSION);
    w.comma().name("username").value(username);
    w.comma().name("now").value(now);
    return w;
  }

  /** The answer of {@code serviceLoginFast}: a compact "nothing to do", else an envelope. */
  static LoginOutcome fastLoginOutcome(byte[] answer) {
    if (answer.length > 0 && answer[0] == 0) {
      String user = new String(answer, 1, answer.length - 1, StandardCharsets.UTF_8);
      return new LoginOutcome(user, List.of(), List.of(), List.of());
    }
    if (answer.length == 1 && answer[0] == 1) {
      return new LoginOutcome(null, List.of(), List.of(), List.of());
    }
    return loginOutcome(Envelope.unwrap(answer));
  }

  static LoginOutcome loginOutcome(byte[] result) {
    Map<String, Object> m = Json.parseObject(result);
    List<Operation> failed = new ArrayList<>();
    for (Object pair : list(m.get("failed"), "failed")) {
      List<Object> opAndReason = list(pair, "failed");
      if (opAndReason.isEmpty()) {
        throw malformed("a failed login write has no operation");
      }
      failed.add(operation(opAndReason.get(0)));
    }
    return new LoginOutcome(
        optionalString(m, "user"),
        operations(m.get("applied")),
        List.copyOf(failed),
        operations(m.get("previewed")));
  }

  static TickReport tickReport(byte[] result) {
    Map<String, Object> m = Json.parseObject(result);
    return new TickReport(
        longs(m.get("runs")),
        longs(m.get("resumed")),
        number(m, "skippedLeased"),
        number(m, "purgedEntries"),
        number(m, "mailsQueued"),
        number(m, "loginChecksRepaired"));
  }

  // ---- helpers ----

  /** The text of {@code bytes} if they are well-formed UTF-8, else null. */
  static String utf8OrNull(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .decode(java.nio.ByteBuffer.wrap(bytes))
          .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object json, String what) {
    if (!(json instanceof Map)) {
      throw malformed("`" + what + "` is not an object");
    }
    return (Map<String, Object>) json;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object json, String what) {
    if (json == null) {
      return List.of();
    }
    if (!(json instanceof List)) {
      throw malformed("`" + what + "` is not an array");
    }
    return (List<Object>) json;
  }

  static String string(Map<String, Object> m, String name) {
    Object v = m.get(name);
    if (!(v instanceof String)) {
      throw malformed("field `" + name + "` is not a string");
    }
    return (String) v;
  }

  static String optionalString(Map<String, Object> m, String name) {
    Object v = m.get(name);
    if (v != null && !(v instanceof String)) {
      throw malformed("field `" + name + "` is not a string");
    }
    return (String) v;
  }

  static long number(Map<String, Object> m, String name) {
    Object v = m.get(name);
    if (!(v instanceof Long)) {
      throw malformed("field `" + name + "` is not an integer");
    }
    return (Long) v;
  }

  static Long optionalLong(Map<String, Object> m, String name) {
    Object v = m.get(name);
    if (v != null && !(v instanceof Long)) {
      throw malformed("field `" + name + "` is not an integer");
    }
    return (Long) v;
  }

  private static List<Long> longs(Object json) {
    List<Long> out = new ArrayList<>();
    for (Object item : list(json, "ids")) {
      if (!(item instanceof Long)) {
        throw malformed("an id is not an integer");
      }
      out.add((Long) item);
    }
    return List.copyOf(out);
  }

  static BridgeException malformed(String what) {
    return new BridgeException("malformed JSON crossing the bridge: " + what);
  }
}
