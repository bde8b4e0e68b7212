package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.activity.AoCoveredDays;
import io.seatwarden.activity.AoSeenStore;
import io.seatwarden.activity.SeenHost;
import io.seatwarden.activity.SeenMark;
import io.seatwarden.bridge.DirectoryHeader.DirectoryKind;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.store.FakeActiveObjects;
import io.seatwarden.store.FakeClusterLockService;
import io.seatwarden.store.SeenRow;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.java.ao.DBParam;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin's path for the seen signal, without the product: marks flushed into Active Objects
 * ({@link AoSeenStore}), the host's header and pages with the signal ({@link SeenHost}), written by
 * the codec the JNI host uses, and evaluated by the library: the user the plugin saw is not a
 * candidate, the one it did not see is.
 */
class SeenHostTest {
  static final long DAY_MS = 86_400_000L;
  static final long NOW = 1_795_226_400_000L; // 2026-11-21T02:00:00Z
  static final long TODAY = Math.floorDiv(NOW, DAY_MS);

  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  static InMemoryHost product() {
    return new InMemoryHost(NOW)
        .directory(1, "Internal", DirectoryKind.INTERNAL, InMemoryHost.ALL)
        .group("jira-software-users", false, true)
        .user("JIRAUSER1", "token.user", 1, true, NOW - 400 * DAY_MS, NOW - 120 * DAY_MS)
        .user("JIRAUSER2", "idle.user", 1, true, NOW - 400 * DAY_MS, NOW - 120 * DAY_MS)
        .user("JIRAUSER3", "busy.user", 1, true, NOW - 400 * DAY_MS, NOW - DAY_MS);
  }

  /** The covered days of {@code ao} (none recorded: an installation from before the table). */
  static AoCoveredDays covered(FakeActiveObjects ao) {
    return new AoCoveredDays(ao, new FakeClusterLockService());
  }

  @Test
  void withNothingStoredTheHostDeclaresNoSignal() {
    FakeActiveObjects ao = new FakeActiveObjects();
    SeenHost host = new SeenHost(product(), new AoSeenStore(ao), covered(ao));
    assertEquals(List.of(), host.header().signals());
    assertEquals(List.of(), host.users(null, 10).users().get(0).activity());
  }

  @Test
  void theStoreKeepsTheLatestDayAcrossNodesDuplicatesAndPages() {
    FakeActiveObjects ao = new FakeActiveObjects();
    AoSeenStore store = new AoSeenStore(ao);
    // Node A, then node B with an older day for the same user: the later day stays.
    store.write(List.of(new SeenMark("JIRAUSER1", TODAY), new SeenMark("JIRAUSER3", TODAY - 5)));
    store.write(List.of(new SeenMark("JIRAUSER1", TODAY - 3), new SeenMark("JIRAUSER3", TODAY)));
    assertEquals(Map.of("JIRAUSER1", TODAY, "JIRAUSER3", TODAY), store.all());
    // Two nodes inserted the same new user at once: reads take the maximum, writes raise both.
    ao.create(SeenRow.class, new DBParam(SeenRow.USER_KEY, "JIRAUSER9"), new DBParam(SeenRow.DAY, 10L));
    ao.create(SeenRow.class, new DBParam(SeenRow.USER_KEY, "JIRAUSER9"), new DBParam(SeenRow.DAY, 12L));
    assertEquals(12L, store.all().get("JIRAUSER9"));
    store.write(List.of(new SeenMark("JIRAUSER9", 20L)));
    assertEquals(20L, store.day("JIRAUSER9").getAsLong());
    assertEquals(20L, store.all().get("JIRAUSER9"));
    // More rows than one read page: all are read.
    List<SeenMark> many = new ArrayList<>();
    for (int i = 0; i < 12_000; i++) {
      many.add(new SeenMark("U" + i, TODAY));
    }
    store.write(many);
    assertEquals(12_003, store.all().size());
  }

  @Test
  void theLibraryJudgesTheHostsUsersByTheirSeenDays() {
    FakeActiveObjects ao = new FakeActiveObjects();
    AoSeenStore store = new AoSeenStore(ao);
    // Installed 100 days ago: the first flush stored a day then; the token user was seen today.
    store.write(
        List.of(new SeenMark("JIRAUSER3", TODAY - 100), new SeenMark("JIRAUSER1", TODAY)));
    SeenHost host = new SeenHost(product(), store, covered(ao));
    DirectoryHeader header = host.header();
    assertEquals(
        List.of(new DirectoryHeader.Signal("seen", null, (TODAY - 100) * DAY_MS)),
        header.signals());
    UsersPage page = host.users(null, 10);
    assertEquals(Arrays.asList(TODAY * DAY_MS), page.users().get(0).activity());
    assertEquals(Arrays.asList((Long) null), page.users().get(1).activity());
    assertEquals(
        Arrays.asList(TODAY * DAY_MS), host.user("JIRAUSER1").orElseThrow().activity());

    Map<String, Object> actual = HostPlans.liveDeactivate90(host, NOW);
    assertEquals(List.of("JIRAUSER2 deactivate"), actual.get("operations"), actual::toString);
    assertEquals("ready", actual.get("status"), actual::toString);
  }
}
