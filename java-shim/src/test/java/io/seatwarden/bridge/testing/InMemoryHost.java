package io.seatwarden.bridge.testing;

import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryHeader.Capabilities;
import io.seatwarden.bridge.DirectoryHeader.Directory;
import io.seatwarden.bridge.DirectoryHeader.DirectoryKind;
import io.seatwarden.bridge.DirectoryHeader.Group;
import io.seatwarden.bridge.DirectoryHeader.Licence;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.OperationResult.FailureKind;
import io.seatwarden.bridge.UsersPage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small product directory in memory, enforcing what Jira and Confluence enforce (the Java twin of
 * {@code seatwarden_service::host::memory::MemoryDirectory}), so a run through the bridge meets the
 * refusals a real one meets:
 *
 * <ul>
 *   <li>a read-only directory (LDAP) refuses user writes, and membership changes outside its local
 *       groups: {@link FailureKind#READ_ONLY_DIRECTORY};
 *   <li>licence seats: activating a licensed user, or adding an active user to a licence group,
 *       of an application with no free seat fails with {@link FailureKind#NO_SEAT};
 *   <li>unknown users and groups: {@link FailureKind#NOT_FOUND}; usernames unique
 *       case-insensitively: {@link FailureKind#ALREADY_EXISTS}; admin groups and vetoed users
 *       cannot be deleted: {@link FailureKind#VETOED}.
 * </ul>
 *
 * <p>Time is explicit ({@link #setTime}). {@link #recordLogin} is what the product does when a
 * person logs in, before the login listener calls Seatwarden. {@link #setUnavailable} makes every
 * call throw {@link HostUnavailableException}.
 */
public final class InMemoryHost implements Host {
  /** Every write allowed. */
  public static final Capabilities ALL = new Capabilities(true, true, true, true, true);

  /** Nothing writable (a read-only LDAP connector). */
  public static final Capabilities NONE = new Capabilities(false, false, false, false, false);

  private final List<Directory> directories = new ArrayList<>();
  private final List<Group> groups = new ArrayList<>();
  private final List<Licence> licences = new ArrayList<>();
  private final List<String> sysadmins = new ArrayList<>();
  private final TreeMap<String, DirectoryUser> users = new TreeMap<>();
  private final Map<String, String> byUsername = new HashMap<>();
  private final Map<String, String> deleteVetoes = new HashMap<>();
  private final List<Operation> applied = new ArrayList<>();
  private final List<Operation> refused = new ArrayList<>();
  private long now;
  private long nextUser = 1;
  private boolean untimedDeactivations;
  private volatile boolean unavailable;
  private volatile RuntimeException failure;
  private long pagesServed;

  /** An empty directory whose clock reads {@code now}. */
  public InMemoryHost(long now) {
    this.now = now;
  }

  // ---- set-up ----

  public synchronized InMemoryHost directory(
      long id, String name, DirectoryKind kind, Capabilities capabilities, String... localGroups) {
    directories.add(new Directory(id, name, kind, capabilities, List.of(localGroups)));
    return this;
  }

  public synchronized InMemoryHost group(String name, boolean admin, boolean licence) {
    groups.add(new Group(name, admin, licence));
    return this;
  }

  /** A licensed application with {@code seats} seats ({@code null}: unlimited). */
  public synchronized InMemoryHost licence(
      String application, String name, Integer seats, String... licenceGroups) {
    licences.add(new Licence(application, name, seats, 0, List.of(licenceGroups)));
    return this;
  }

  public synchronized InMemoryHost sysadmin(String key) {
    sysadmins.add(key);
    return this;
  }

  /**
   * Adds a user.
   *
   * @param lastLogin null if never
   */
  public synchronized InMemoryHost user(
      String key,
      String username,
      long directoryId,
      boolean active,
      long created,
      Long lastLogin,
      String... userGroups) {
    put(
        new DirectoryUser(
            key,
            username,
            "User " + username,
            username + "@example.invalid",
            directoryId,
            active,
            created,
            lastLogin,
            lastLogin == null ? 0 : 1,
            active ? null : created,
            sorted(List.of(userGroups))));
    return this;
  }

  // ---- test hooks ----

  public synchronized void setTime(long now) {
    this.now = now;
  }

  /** The product recording a login (a deactivated user cannot log in: false). */
  public synchronized boolean recordLogin(String username, long at) {
    String key = byUsername.get(fold(username));
    DirectoryUser u = key == null ? null : users.get(key);
    if (u == null || !u.active()) {
      return false;
    }
    Integer count = u.loginCount() == null ? null : u.loginCount() + 1;
    put(
        new DirectoryUser(
            u.key(),
            u.username(),
            u.displayName(),
            u.email(),
            u.directoryId(),
            true,
            u.created(),
            at,
            count,
            u.deactivatedAt(),
            u.groups()));
    return true;
  }

  /**
   * Deactivations are no longer time-stamped, as in Jira and Confluence (their hosts send {@code
   * deactivatedAt: null}): only Seatwarden's audit trail then knows when a user was deactivated.
   */
  public synchronized InMemoryHost untimedDeactivations() {
    untimedDeactivations = true;
    return this;
  }

  public synchronized void vetoDelete(String key, String reason) {
    deleteVetoes.put(key, reason);
  }

  /** Every later call throws {@link HostUnavailableException} (or answers again). */
  public void setUnavailable(boolean unavailable) {
    this.unavailable = unavailable;
  }

  /** Every later call throws {@code failure} (null: answers again), a bug in an adapter. */
  public void setFailure(RuntimeException failure) {
    this.failure = failure;
  }

  /** The writes that landed, in order. */
  public synchronized List<Operation> applied() {
    return List.copyOf(applied);
  }

  /** The writes refused, in order. */
  public synchronized List<Operation> refused() {
    return List.copyOf(refused);
  }

  /** How many pages {@link #users} served. */
  public synchronized long pagesServed() {
    return pagesServed;
  }

  /** The user as stored now, without counting as a host call. */
  public synchronized Optional<DirectoryUser> peek(String key) {
    return Optional.ofNullable(users.get(key));
  }

  /** Seats in use of {@code application}. */
  public synchronized int seatsUsed(String application) {
    return countSeats().getOrDefault(application, 0);
  }

  // ---- Host ----

  private void enter() {
    if (unavailable) {
      throw new HostUnavailableException("the test directory is down");
    }
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  @Override
  public synchronized DirectoryHeader header() {
    enter();
    Map<String, Integer> seats = countSeats();
    List<Licence> counted = new ArrayList<>();
    for (Licence l : licences) {
      counted.add(
          new Licence(
              l.application(), l.name(), l.seatLimit(), seats.getOrDefault(l.application(), 0),
              l.groups()));
    }
    return new DirectoryHeader(
        now,
        List.copyOf(directories),
        List.copyOf(groups),
        List.copyOf(counted),
        List.copyOf(sysadmins));
  }

  @Override
  public synchronized UsersPage users(String cursor, int limit) {
    enter();
    pagesServed++;
    var tail = cursor == null ? users : users.tailMap(cursor, false);
    List<DirectoryUser> page = new ArrayList<>();
    String last = null;
    for (DirectoryUser u : tail.values()) {
      if (page.size() >= Math.max(1, limit)) {
        break;
      }
      page.add(u);
      last = u.key();
    }
    String next = last != null && users.higherKey(last) != null ? last : null;
    return new UsersPage(List.copyOf(page), next);
  }

  @Override
  public synchronized Optional<DirectoryUser> user(String key) {
    enter();
    return Optional.ofNullable(users.get(key));
  }

  @Override
  public synchronized Optional<DirectoryUser> userByUsername(String username) {
    enter();
    String key = byUsername.get(fold(username));
    return key == null ? Optional.empty() : Optional.ofNullable(users.get(key));
  }

  @Override
  public synchronized OperationResult apply(Operation operation) {
    enter();
    OperationResult result = applyLocked(operation);
    (result instanceof OperationResult.Applied ? applied : refused).add(operation);
    return result;
  }

  private OperationResult applyLocked(Operation operation) {
    if (operation instanceof Operation.Activate a) {
      DirectoryUser u = users.get(a.user());
      Directory d = u == null ? null : directoryOf(u);
      if (u == null || d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (!d.capabilities().updateUser()) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
      if (!u.active()) {
        if (!seatsFree(u, u.groups())) {
          return OperationResult.failed(FailureKind.NO_SEAT);
        }
        put(withState(u, true, null, u.groups()));
      }
      return OperationResult.applied();
    }
    if (operation instanceof Operation.Deactivate a) {
      DirectoryUser u = users.get(a.user());
      Directory d = u == null ? null : directoryOf(u);
      if (u == null || d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (!d.capabilities().updateUser()) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
      if (u.active()) {
        put(withState(u, false, untimedDeactivations ? null : now, u.groups()));
      }
      return OperationResult.applied();
    }
    if (operation instanceof Operation.Delete a) {
      DirectoryUser u = users.get(a.user());
      Directory d = u == null ? null : directoryOf(u);
      if (u == null || d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (!d.capabilities().deleteUser()) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
      if (deleteVetoes.containsKey(u.key())) {
        return new OperationResult.Failed(FailureKind.VETOED, deleteVetoes.get(u.key()));
      }
      users.remove(u.key());
      byUsername.remove(fold(u.username()));
      return OperationResult.applied();
    }
    if (operation instanceof Operation.AddToGroup a) {
      return membership(a.user(), a.group(), true);
    }
    if (operation instanceof Operation.RemoveFromGroup a) {
      return membership(a.user(), a.group(), false);
    }
    if (operation instanceof Operation.Rename a) {
      DirectoryUser u = users.get(a.user());
      Directory d = u == null ? null : directoryOf(u);
      if (u == null || d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (!d.capabilities().renameUser()) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
      String owner = byUsername.get(fold(a.to()));
      if (owner != null && !owner.equals(u.key())) {
        return OperationResult.failed(FailureKind.ALREADY_EXISTS);
      }
      byUsername.remove(fold(u.username()));
      put(
          new DirectoryUser(
              u.key(), a.to(), u.displayName(), u.email(), u.directoryId(), u.active(),
              u.created(), u.lastLogin(), u.loginCount(), u.deactivatedAt(), u.groups()));
      return OperationResult.applied();
    }
    if (operation instanceof Operation.ReassignIssues a) {
      return users.containsKey(a.user())
          ? OperationResult.applied()
          : OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (operation instanceof Operation.CreateGroup a) {
      if (group(a.group()) != null) {
        return OperationResult.failed(FailureKind.ALREADY_EXISTS);
      }
      groups.add(new Group(a.group(), false, false));
      return OperationResult.applied();
    }
    if (operation instanceof Operation.DeleteGroup a) {
      Group g = group(a.group());
      if (g == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (g.admin()) {
        return new OperationResult.Failed(
            FailureKind.VETOED, "the group grants administration rights");
      }
      groups.remove(g);
      for (DirectoryUser u : List.copyOf(users.values())) {
        put(withState(u, u.active(), u.deactivatedAt(), without(u.groups(), g.name())));
      }
      return OperationResult.applied();
    }
    if (operation instanceof Operation.CreateUser a) {
      Directory d =
          directories.stream()
              .filter(x -> a.directory() == null ? x.capabilities().createUser() : x.id() == a.directory())
              .findFirst()
              .orElse(null);
      if (d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (!d.capabilities().createUser()) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
      if (byUsername.containsKey(fold(a.username()))) {
        return OperationResult.failed(FailureKind.ALREADY_EXISTS);
      }
      String key = "MEMUSER" + nextUser++;
      put(
          new DirectoryUser(
              key, a.username(), a.displayName(), a.email(), d.id(), a.active(), now, null, 0, null,
              List.of()));
      return new OperationResult.Applied(key);
    }
    if (operation instanceof Operation.UpdateUser a) {
      DirectoryUser u = users.get(a.user());
      Directory d = u == null ? null : directoryOf(u);
      if (u == null || d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (!d.capabilities().updateUser()) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
      put(
          new DirectoryUser(
              u.key(), u.username(),
              a.displayName() == null ? u.displayName() : a.displayName(),
              a.email() == null ? u.email() : a.email(),
              u.directoryId(), u.active(), u.created(), u.lastLogin(), u.loginCount(),
              u.deactivatedAt(), u.groups()));
      return OperationResult.applied();
    }
    return new OperationResult.Failed(FailureKind.HOST, "unsupported operation");
  }

  private OperationResult membership(String key, String groupName, boolean add) {
    Group g = group(groupName);
    DirectoryUser u = users.get(key);
    Directory d = u == null ? null : directoryOf(u);
    if (g == null || u == null || d == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    boolean local = d.localGroups().stream().anyMatch(x -> x.equalsIgnoreCase(g.name()));
    if (!d.capabilities().updateMembership() && !local) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    boolean member = u.groups().stream().anyMatch(x -> x.equalsIgnoreCase(g.name()));
    if (add && !member) {
      List<String> next = new ArrayList<>(u.groups());
      next.add(g.name());
      if (u.active() && !seatsFree(u, next)) {
        return OperationResult.failed(FailureKind.NO_SEAT);
      }
      put(withState(u, u.active(), u.deactivatedAt(), sorted(next)));
    } else if (!add && member) {
      put(withState(u, u.active(), u.deactivatedAt(), without(u.groups(), g.name())));
    }
    return OperationResult.applied();
  }

  // ---- internals ----

  private void put(DirectoryUser u) {
    users.put(u.key(), u);
    byUsername.put(fold(u.username()), u.key());
  }

  private Directory directoryOf(DirectoryUser u) {
    return directories.stream().filter(d -> d.id() == u.directoryId()).findFirst().orElse(null);
  }

  private Group group(String name) {
    return groups.stream().filter(g -> g.name().equalsIgnoreCase(name)).findFirst().orElse(null);
  }

  /** Applications whose licence groups include one of {@code userGroups}. */
  private Set<String> applicationsOf(List<String> userGroups) {
    Set<String> out = new LinkedHashSet<>();
    for (Licence l : licences) {
      for (String lg : l.groups()) {
        if (userGroups.stream().anyMatch(g -> g.equalsIgnoreCase(lg))) {
          out.add(l.application());
        }
      }
    }
    return out;
  }

  private Map<String, Integer> countSeats() {
    Map<String, Integer> seats = new HashMap<>();
    for (DirectoryUser u : users.values()) {
      if (u.active()) {
        for (String app : applicationsOf(u.groups())) {
          seats.merge(app, 1, Integer::sum);
        }
      }
    }
    return seats;
  }

  /** Whether {@code u}, active with {@code groups}, takes no seat of a full application. */
  private boolean seatsFree(DirectoryUser u, List<String> nextGroups) {
    Set<String> before = u.active() ? applicationsOf(u.groups()) : Set.of();
    Map<String, Integer> used = countSeats();
    for (String app : applicationsOf(nextGroups)) {
      if (before.contains(app)) {
        continue;
      }
      for (Licence l : licences) {
        if (l.application().equals(app)
            && l.seatLimit() != null
            && used.getOrDefault(app, 0) >= l.seatLimit()) {
          return false;
        }
      }
    }
    return true;
  }

  private static DirectoryUser withState(
      DirectoryUser u, boolean active, Long deactivatedAt, List<String> groups) {
    return new DirectoryUser(
        u.key(), u.username(), u.displayName(), u.email(), u.directoryId(), active, u.created(),
        u.lastLogin(), u.loginCount(), deactivatedAt, groups);
  }

  private static List<String> without(List<String> groups, String name) {
    return groups.stream().filter(g -> !g.equalsIgnoreCase(name)).toList();
  }

  private static List<String> sorted(List<String> groups) {
    return groups.stream().sorted().toList();
  }

  private static String fold(String username) {
    return username.toLowerCase(Locale.ROOT);
  }
}
