package io.seatwarden.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.User;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrowdUserPagerTest {
  private static FakeCrowd crowd(int users) {
    FakeCrowd crowd = new FakeCrowd();
    crowd.directory(1, "Internal", DirectoryType.INTERNAL, FakeCrowd.ALL);
    for (int i = 0; i < users; i++) {
      crowd.user(String.format("user%03d", i * 2), 1, true, 1_600_000_000_000L);
    }
    return crowd;
  }

  private static List<String> names(List<User> users) {
    List<String> out = new ArrayList<>();
    for (User u : users) {
      out.add(u.getName());
    }
    return out;
  }

  @Test
  void pagesEveryUserExactlyOnceInOrder() {
    FakeCrowd crowd = crowd(23);
    CrowdUserPager pager = new CrowdUserPager(crowd);
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      CrowdUserPager.Page page = pager.page(cursor, 5);
      assertTrue(page.users().size() <= 5);
      seen.addAll(names(page.users()));
      cursor = page.next();
      pages++;
    } while (cursor != null);
    assertEquals(5, pages);
    List<String> expected = new ArrayList<>();
    for (FakeCrowd.FakeUser u : crowd.allUsers()) {
      expected.add(u.getName());
    }
    assertEquals(expected, seen);
  }

  @Test
  void lastPageThatIsExactlyFullHasNoNextCursor() {
    CrowdUserPager pager = new CrowdUserPager(crowd(10));
    CrowdUserPager.Page first = pager.page(null, 5);
    assertNotNull(first.next());
    CrowdUserPager.Page second = pager.page(first.next(), 5);
    assertEquals(5, second.users().size());
    assertNull(second.next());
  }

  @Test
  void usersAddedBeforeTheCursorAreNotRepeatedAndNobodyIsSkipped() {
    FakeCrowd crowd = crowd(20);
    CrowdUserPager pager = new CrowdUserPager(crowd);
    List<String> seen = new ArrayList<>();
    CrowdUserPager.Page page = pager.page(null, 6);
    seen.addAll(names(page.users()));
    // Three users sort before the cursor now: a bare offset would repeat three users.
    crowd.user("user001", 1, true, 1_600_000_000_000L);
    crowd.user("user003", 1, true, 1_600_000_000_000L);
    crowd.user("user005", 1, true, 1_600_000_000_000L);
    String cursor = page.next();
    while (cursor != null) {
      page = pager.page(cursor, 6);
      seen.addAll(names(page.users()));
      cursor = page.next();
    }
    Set<String> unique = new HashSet<>(seen);
    assertEquals(seen.size(), unique.size(), "no user handed out twice: " + seen);
    for (int i = 0; i < 20; i++) {
      assertTrue(unique.contains(String.format("user%03d", i * 2)), "every original user seen");
    }
  }

  @Test
  void usersRemovedBeforeTheCursorDoNotHideOthers() {
    FakeCrowd crowd = crowd(20);
    CrowdUserPager pager = new CrowdUserPager(crowd);
    List<String> seen = new ArrayList<>();
    CrowdUserPager.Page page = pager.page(null, 6);
    seen.addAll(names(page.users()));
    crowd.removeUserNow("user000");
    crowd.removeUserNow("user002");
    crowd.removeUserNow("user004");
    String cursor = page.next();
    while (cursor != null) {
      page = pager.page(cursor, 6);
      seen.addAll(names(page.users()));
      cursor = page.next();
    }
    for (int i = 0; i < 20; i++) {
      assertTrue(seen.contains(String.format("user%03d", i * 2)), "user " + i + " seen: " + seen);
    }
    assertEquals(20, new HashSet<>(seen).size());
  }

  @Test
  void whenTheLastUserHandedOutIsGoneItContinuesByName() {
    FakeCrowd crowd = crowd(12);
    CrowdUserPager pager = new CrowdUserPager(crowd);
    CrowdUserPager.Page page = pager.page(null, 4);
    assertEquals("user006", page.users().get(3).getName());
    crowd.removeUserNow("user006");
    crowd.removeUserNow("user004");
    CrowdUserPager.Page next = pager.page(page.next(), 4);
    assertEquals(List.of("user008", "user010", "user012", "user014"), names(next.users()));
  }

  @Test
  void refusesCursorsItDidNotMakeAndEmptyPages() {
    CrowdUserPager pager = new CrowdUserPager(crowd(3));
    assertThrows(IllegalArgumentException.class, () -> pager.page("12", 5));
    assertThrows(IllegalArgumentException.class, () -> pager.page("1.x.abc", 5));
    assertThrows(IllegalArgumentException.class, () -> pager.page(null, 0));
  }

  @Test
  void listsGroupNames() {
    FakeCrowd crowd = crowd(1);
    crowd.group("b-group");
    crowd.group("a-group");
    assertEquals(List.of("a-group", "b-group"), new CrowdUserPager(crowd).groupNames());
  }
}
