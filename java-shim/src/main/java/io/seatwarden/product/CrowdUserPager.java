package io.seatwarden.product;

import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.crowd.embedded.api.Group;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.search.EntityDescriptor;
import com.atlassian.crowd.search.builder.QueryBuilder;
import com.atlassian.crowd.search.query.entity.EntityQuery;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Pages through every user the product sees, with a cursor that survives small changes.
 *
 * <p>Crowd's searches take a start index and a maximum; both products return users in one order (by
 * name) for a given directory state. A bare offset would repeat or skip users when someone is added
 * or removed before it while the engine pages, so the cursor also records the last username handed
 * out: the next page first looks for that user in a window around the offset and continues right
 * after wherever it now is. Only when that user vanished and the directory moved by more than a
 * page does it fall back to the offset.
 */
public final class CrowdUserPager {
  private static final String VERSION = "1";

  private final CrowdService crowd;

  /** A pager over {@code crowd}'s users. */
  public CrowdUserPager(CrowdService crowd) {
    this.crowd = Objects.requireNonNull(crowd, "crowd");
  }

  /**
   * A page of users.
   *
   * @param users the users, in the product's order
   * @param next the cursor of the next page, or null after the last page
   */
  public record Page(List<User> users, String next) {}

  /**
   * Up to {@code limit} users after {@code cursor} (null: from the first user).
   *
   * @throws IllegalArgumentException for a limit below 1 or a cursor this class did not make
   */
  public Page page(String cursor, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("users page limit must be at least 1, got " + limit);
    }
    int start = 0;
    if (cursor != null) {
      Cursor c = Cursor.parse(cursor);
      start = resume(c, limit);
    }
    List<User> found = search(start, limit + 1);
    boolean more = found.size() > limit;
    List<User> users = more ? List.copyOf(found.subList(0, limit)) : List.copyOf(found);
    String next = null;
    if (more) {
      next = new Cursor(start + users.size(), users.get(users.size() - 1).getName()).format();
    }
    return new Page(users, next);
  }

  /** Every group name, in the product's order. */
  public List<String> groupNames() {
    EntityQuery<Group> query =
        QueryBuilder.queryFor(Group.class, EntityDescriptor.group())
            .returningAtMost(EntityQuery.ALL_RESULTS);
    List<String> names = new ArrayList<>();
    for (Group g : crowd.search(query)) {
      names.add(g.getName());
    }
    return names;
  }

  /** Where the page after {@code c} starts now. */
  private int resume(Cursor c, int limit) {
    int windowStart = Math.max(0, c.offset - 1 - limit);
    List<User> window = search(windowStart, (c.offset - windowStart) + limit + 1);
    String last = Redaction.fold(c.lastName);
    for (int i = 0; i < window.size(); i++) {
      if (Redaction.fold(window.get(i).getName()).equals(last)) {
        return windowStart + i + 1;
      }
    }
    // The last user handed out is gone: continue after the names that sort before it.
    for (int i = 0; i < window.size(); i++) {
      if (Redaction.fold(window.get(i).getName()).compareTo(last) > 0) {
        return windowStart + i;
      }
    }
    return windowStart + window.size();
  }

  private List<User> search(int start, int max) {
    EntityQuery<User> query =
        QueryBuilder.queryFor(User.class, EntityDescriptor.user())
            .startingAt(start)
            .returningAtMost(max);
    List<User> users = new ArrayList<>();
    for (User u : crowd.search(query)) {
      users.add(u);
    }
    return users;
  }

  /** Offset of the next user and the name of the last one handed out, in an opaque string. */
  private record Cursor(int offset, String lastName) {
    String format() {
      String name =
          Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(lastName.getBytes(StandardCharsets.UTF_8));
      return VERSION + "." + offset + "." + name;
    }

    static Cursor parse(String text) {
      String[] parts = text.split("\\.", 3);
      if (parts.length != 3 || !parts[0].equals(VERSION)) {
        throw new IllegalArgumentException("not a users cursor of this host");
      }
      try {
        int offset = Integer.parseInt(parts[1]);
        String name = new String(Base64.getUrlDecoder().decode(parts[2]), StandardCharsets.UTF_8);
        if (offset < 1 || name.isEmpty()) {
          throw new IllegalArgumentException("not a users cursor of this host");
        }
        return new Cursor(offset, name);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a users cursor of this host", e);
      }
    }
  }
}
