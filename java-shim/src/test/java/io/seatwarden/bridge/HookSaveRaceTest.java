package io.seatwarden.bridge;

import static io.seatwarden.bridge.ServiceFixtures.TICK;
import static io.seatwarden.bridge.ServiceFixtures.call;
import static io.seatwarden.bridge.ServiceFixtures.organisation;
import static io.seatwarden.bridge.ServiceFixtures.path;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seatwarden.bridge.ServiceFixtures.Answer;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.bridge.testing.Together;
import io.seatwarden.store.AoRecordStore;
import io.seatwarden.store.FakeActiveObjects;
import io.seatwarden.store.FakeClusterLockService;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 21: a webhook's settings are saved by compare-and-set in the plugin's Active Objects store
 * too. Two nodes over one store, two Java threads released together (the engine's calls into the
 * store run on them), each saving the webhook against the version both read: one save lands, the
 * other gets 409 and changes nothing. The Rust conformance check {@code
 * marker_replace_race_has_one_winner} starts threads of its own, which never call into Java
 * (docs/jni.md), so this is that race over Active Objects.
 */
class HookSaveRaceTest {
  private static final String RULES =
      "\"rules\":[{\"name\":\"staff\",\"emailDomains\":[\"example.test\"],\"activate\":true}]";

  private static NativeSeatwarden node(InMemoryHost host, AoRecordStore store, String id) {
    return NativeSeatwarden.builder().host(host).store(store).nodeId(id).clock(() -> TICK).open();
  }

  @Test
  void twoNodesSavingOneWebhookAtOnceOverActiveObjectsEndWithOne409() throws Exception {
    InMemoryHost host = organisation(1);
    AoRecordStore shared = new AoRecordStore(new FakeActiveObjects(), new FakeClusterLockService());
    try (NativeSeatwarden a = node(host, shared, "node-a");
        NativeSeatwarden b = node(host, shared, "node-b")) {
      Answer made =
          call(a, "POST", "/api/hooks", "{\"name\":\"IT desk\",\"capPerDay\":5," + RULES + "}");
      assertEquals(201, made.status(), made.toString());
      String hook = "/api/hooks/" + made.object().get("id");
      List<NativeSeatwarden> nodes = List.of(a, b);
      // Rounds, so the two saves meet inside the store's check more than once.
      for (int round = 0; round < 10; round++) {
        Object version = path(call(b, "GET", "/api/hooks", null).json(), "items", "0", "version");
        int first = 100 + 2 * round;
        List<Integer> statuses =
            Together.run(
                2,
                120,
                n ->
                    call(
                            nodes.get(n),
                            "PUT",
                            hook,
                            "{\"name\":\"IT desk\",\"capPerDay\":" + (first + n) + "," + RULES
                                + ",\"version\":\"" + version + "\"}")
                        .status());
        List<Integer> sorted = new ArrayList<>(statuses);
        sorted.sort(null);
        assertEquals(List.of(200, 409), sorted, "round " + round + ": " + statuses);
        long winner = first + statuses.indexOf(200);
        assertEquals(
            winner,
            path(call(a, "GET", "/api/hooks", null).json(), "items", "0", "settings", "capPerDay"),
            "round " + round + ": the refused save changed nothing");
      }
    }
  }
}
