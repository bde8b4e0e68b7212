package io.seatwarden.bridge;

import io.seatwarden.bridge.DirectoryHeader.DirectoryKind;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.InMemoryRecordStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small organisation in the in-memory host, and a tiny admin API client. */
final class ServiceFixtures {
  /** 2025-11-21T00:00:00Z. */
  static final long DAY0 = 1_763_683_200_000L;

  static final long DAY = 86_400_000L;

  /** The scheduler's default time is 02:00 UTC: 03:00 on the next day is due. */
  static final long TICK = DAY0 + DAY + 3 * 3_600_000L;

  static final ApiRequest.Context ADMIN =
      new ApiRequest.Context("K-admin", true, "127.0.0.1", true, true);

  private ServiceFixtures() {}

  /**
   * An internal directory and a read-only LDAP one (with {@code jira-software-users} kept locally),
   * a Jira Software licence of 20 seats, a sysadmin, {@code idle} users idle for 200 days, 3 fresh
   * users, 2 deactivated ones, 2 idle LDAP users and 3 marketing people without a seat.
   */
  static InMemoryHost organisation(int idle) {
    InMemoryHost host =
        new InMemoryHost(DAY0)
            .directory(1, "Internal", DirectoryKind.INTERNAL, InMemoryHost.ALL)
            .directory(
                2, "Corporate LDAP", DirectoryKind.LDAP, InMemoryHost.NONE, "jira-software-users")
            .group("jira-administrators", true, false)
            .group("jira-software-users", false, true)
            .group("marketing-users", false, false)
            .group("staff", false, false)
            .licence("jira-software", "Jira Software", 20, "jira-software-users")
            .sysadmin("K-admin")
            .user(
                "K-admin", "admin", 1, true, DAY0 - 900 * DAY, DAY0 - 400 * DAY,
                "jira-administrators", "jira-software-users");
    for (int i = 0; i < idle; i++) {
      host.user(
          String.format("K-idle%04d", i), String.format("idle%04d", i), 1, true, DAY0 - 900 * DAY,
          DAY0 - 200 * DAY, "jira-software-users", "staff");
    }
    for (int i = 0; i < 3; i++) {
      host.user(
          String.format("K-fresh%04d", i), String.format("fresh%04d", i), 1, true,
          DAY0 - 900 * DAY, DAY0 - DAY, "jira-software-users", "staff");
    }
    for (int i = 0; i < 2; i++) {
      host.user(
          String.format("K-gone%04d", i), String.format("gone%04d", i), 1, false,
          DAY0 - 900 * DAY, DAY0 - 300 * DAY, "staff");
    }
    for (int i = 0; i < 2; i++) {
      host.user(
          String.format("K-ldap%04d", i), String.format("ldap%04d", i), 2, true, DAY0 - 900 * DAY,
          DAY0 - 200 * DAY, "staff");
    }
    for (int i = 0; i < 3; i++) {
      host.user(
          String.format("K-mkt%04d", i), String.format("mkt%04d", i), 1, true, DAY0 - 900 * DAY,
          DAY0 - 2 * DAY, "marketing-users");
    }
    return host;
  }

  static NativeSeatwarden open(InMemoryHost host, InMemoryRecordStore store, long now) {
    return NativeSeatwarden.builder()
        .host(host)
        .store(store)
        .nodeId("node-a")
        .instanceName("Test Jira")
        .baseUrl("https://jira.example.invalid")
        .pageSize(4)
        .sliceSize(3)
        .clock(() -> now)
        .open();
  }

  static ApiRequest request(String method, String path, String body, ApiRequest.Context context) {
    List<ApiRequest.Param> query = new ArrayList<>();
    String bare = path;
    int q = path.indexOf('?');
    if (q >= 0) {
      bare = path.substring(0, q);
      for (String kv : path.substring(q + 1).split("&")) {
        int eq = kv.indexOf('=');
        query.add(new ApiRequest.Param(kv.substring(0, eq), kv.substring(eq + 1)));
      }
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    return new ApiRequest(method, bare, query, bytes, context);
  }

  /** The status and the JSON body of an admin request. */
  record Answer(int status, Object json, ApiResponse response) {
    @SuppressWarnings("unchecked")
    Map<String, Object> object() {
      return (Map<String, Object>) json;
    }

    @Override
    public String toString() {
      return status + " " + new String(response.body(), StandardCharsets.UTF_8);
    }
  }

  static Answer call(Seatwarden app, String method, String path, String body) {
    return call(app, request(method, path, body, ADMIN));
  }

  static Answer call(Seatwarden app, ApiRequest request) {
    ApiResponse response = app.handle(request);
    Object json =
        response.contentType().startsWith("application/json") && response.body().length > 0
            ? Json.parse(response.body())
            : null;
    return new Answer(response.status(), json, response);
  }

  /**
   * Creates {@code policy} (a JSON object) naming the configuration version read just before: a
   * policy write without one is refused ({@code docs/api.md}).
   */
  static Answer createPolicy(Seatwarden app, String policy) {
    Object version = path(call(app, "GET", "/api/policies", null).json(), "configVersion");
    if (!(version instanceof Long)) {
      throw new IllegalStateException("GET /api/policies has no whole configVersion: " + version);
    }
    String body =
        policy.substring(0, policy.lastIndexOf('}')) + ",\"configVersion\":" + version + "}";
    return call(app, "POST", "/api/policies", body);
  }

  static String deactivationPolicy(String name, boolean live) {
    return "{\"name\":\"" + name + "\",\"mode\":\"" + (live ? "live" : "safe") + "\","
        + "\"trigger\":{\"kind\":\"scheduler\"},"
        + "\"condition\":{\"kind\":\"inactive\",\"days\":90},"
        + "\"action\":{\"kind\":\"deactivate\"}}";
  }

  @SuppressWarnings("unchecked")
  static Object path(Object json, String... keys) {
    Object at = json;
    for (String k : keys) {
      if (at instanceof Map) {
        at = ((Map<String, Object>) at).get(k);
      } else if (at instanceof List) {
        at = ((List<Object>) at).get(Integer.parseInt(k));
      } else {
        return null;
      }
    }
    return at;
  }
}
