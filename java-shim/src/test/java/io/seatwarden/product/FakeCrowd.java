package io.seatwarden.product;

import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.Group;
import com.atlassian.crowd.embedded.api.OperationType;
import com.atlassian.crowd.embedded.api.Query;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.embedded.api.UserWithAttributes;
import com.atlassian.crowd.embedded.impl.ImmutableGroup;
import com.atlassian.crowd.exception.FailedAuthenticationException;
import com.atlassian.crowd.exception.OperationNotPermittedException;
import com.atlassian.crowd.exception.runtime.GroupNotFoundException;
import com.atlassian.crowd.exception.runtime.UserNotFoundException;
import com.atlassian.crowd.model.user.TimestampedUser;
import com.atlassian.crowd.search.EntityDescriptor;
import com.atlassian.crowd.search.query.entity.EntityQuery;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * In-memory embedded Crowd for the adapters' tests: directories, users sorted by name as the
 * products return them, groups and direct memberships. Membership writes obey the directory's
 * allowed operations and local groups the way Crowd does, throwing its exceptions.
 */
public class FakeCrowd implements CrowdService, CrowdDirectoryService {
  /** Every operation: an internal directory. */
  public static final Set<OperationType> ALL = EnumSet.allOf(OperationType.class);

  private final Map<Long, FakeDirectory> directories = new LinkedHashMap<>();
  private final TreeMap<String, FakeUser> users = new TreeMap<>();
  private final TreeMap<String, String> groups = new TreeMap<>();
  private final Map<String, TreeSet<String>> memberships = new TreeMap<>();

  /** Searches made, for tests that count them. */
  public int searches;

  /** {@code getUserWithAttributes} calls, for tests that count them. */
  public int attributeReads;

  static String fold(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  // --- set-up ----------------------------------------------------------------------------------

  /** Adds a directory. */
  public FakeDirectory directory(long id, String name, DirectoryType type, Set<OperationType> ops) {
    FakeDirectory d = new FakeDirectory(id, name, type, ops, new LinkedHashMap<>());
    directories.put(id, d);
    return d;
  }

  /** Adds a user. */
  public FakeUser user(String name, long directoryId, boolean active, long created) {
    FakeUser u = new FakeUser(name, directoryId);
    u.displayName = "Name of " + name;
    u.email = name + "@example.invalid";
    u.active = active;
    u.created = created;
    users.put(fold(name), u);
    memberships.put(fold(name), new TreeSet<>(String.CASE_INSENSITIVE_ORDER));
    return u;
  }

  /** Adds a group (if new). */
  public void group(String name) {
    groups.putIfAbsent(fold(name), name);
  }

  /** Makes {@code user} a direct member of {@code group}, creating the group. */
  public void member(String user, String group) {
    group(group);
    memberships.get(fold(user)).add(groups.get(fold(group)));
  }

  /** Removes a user outright (the directory changed under the engine). */
  public void removeUserNow(String name) {
    users.remove(fold(name));
    memberships.remove(fold(name));
  }

  /** Renames a user (Jira/Confluence keep the key elsewhere). */
  public void rename(String from, String to) {
    FakeUser u = users.remove(fold(from));
    TreeSet<String> m = memberships.remove(fold(from));
    u.name = to;
    users.put(fold(to), u);
    memberships.put(fold(to), m);
  }

  /** Direct memberships of a user (empty for an unknown user). */
  public List<String> groupsOf(String user) {
    TreeSet<String> m = memberships.get(fold(user));
    return m == null ? List.of() : new ArrayList<>(m);
  }

  /** Names of a group's direct members. */
  public List<String> membersOf(String group) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, TreeSet<String>> e : memberships.entrySet()) {
      if (e.getValue().contains(group)) {
        out.add(users.get(e.getKey()).getName());
      }
    }
    return out;
  }

  /** Every user, sorted by name. */
  public List<FakeUser> allUsers() {
    return new ArrayList<>(users.values());
  }

  /** The fake user object for a name, or null. */
  public FakeUser find(String name) {
    return users.get(fold(name));
  }

  // --- CrowdService ----------------------------------------------------------------------------

  @Override
  public User authenticate(String name, String credential) throws FailedAuthenticationException {
    throw new FailedAuthenticationException("not used by the host tests");
  }

  @Override
  public User getUser(String name) {
    return users.get(fold(name));
  }

  @Override
  public UserWithAttributes getUserWithAttributes(String name) {
    attributeReads++;
    return users.get(fold(name));
  }

  @Override
  public Group getGroup(String name) {
    String g = groups.get(fold(name));
    return g == null ? null : new ImmutableGroup(g);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> Iterable<T> search(Query<T> query) {
    searches++;
    EntityQuery<T> q = (EntityQuery<T>) query;
    List<Object> all = new ArrayList<>();
    if (q.getEntityDescriptor() == EntityDescriptor.user()) {
      all.addAll(users.values());
    } else if (q.getEntityDescriptor() == EntityDescriptor.group()) {
      for (String g : groups.values()) {
        all.add(new ImmutableGroup(g));
      }
    }
    int from = Math.min(all.size(), q.getStartIndex());
    int to =
        q.getMaxResults() == EntityQuery.ALL_RESULTS
            ? all.size()
            : Math.min(all.size(), from + q.getMaxResults());
    List<T> out = new ArrayList<>();
    for (Object o : all.subList(from, to)) {
      out.add((T) o);
    }
    return out;
  }

  @Override
  public boolean isUserMemberOfGroup(String userName, String groupName) {
    return groupsOf(userName).stream().anyMatch(g -> g.equalsIgnoreCase(groupName));
  }

  @Override
  public Group addGroup(Group group) {
    group(group.getName());
    return getGroup(group.getName());
  }

  @Override
  public boolean removeGroup(Group group) {
    String g = groups.remove(fold(group.getName()));
    for (TreeSet<String> m : memberships.values()) {
      m.remove(group.getName());
    }
    return g != null;
  }

  @Override
  public boolean addUserToGroup(User user, Group group) throws OperationNotPermittedException {
    checkMembershipWrite(user, group);
    memberships.get(fold(user.getName())).add(groups.get(fold(group.getName())));
    return true;
  }

  @Override
  public boolean removeUserFromGroup(User user, Group group) throws OperationNotPermittedException {
    checkMembershipWrite(user, group);
    return memberships.get(fold(user.getName())).remove(group.getName());
  }

  @Override
  public boolean isUserDirectGroupMember(User user, Group group) {
    return isUserMemberOfGroup(user.getName(), group.getName());
  }

  private void checkMembershipWrite(User user, Group group) throws OperationNotPermittedException {
    FakeUser u = users.get(fold(user.getName()));
    if (u == null) {
      throw new UserNotFoundException("no such user");
    }
    if (!groups.containsKey(fold(group.getName()))) {
      throw new GroupNotFoundException("no such group");
    }
    FakeDirectory d = directories.get(u.directoryId);
    boolean local = Boolean.parseBoolean(d.attributes.get("ldap.local.groups"));
    if (!d.ops.contains(OperationType.UPDATE_GROUP)
        || (local && !d.localGroups.contains(fold(group.getName())))) {
      throw new OperationNotPermittedException("directory is read-only");
    }
  }

  // --- CrowdDirectoryService -------------------------------------------------------------------

  @Override
  public List<Directory> findAllDirectories() {
    return new ArrayList<>(directories.values());
  }

  @Override
  public Directory findDirectoryById(long directoryId) {
    return directories.get(directoryId);
  }

  /** A directory; {@link #localGroups} are the groups Crowd keeps locally for it. */
  public static final class FakeDirectory implements Directory {
    final long id;
    final String name;
    final DirectoryType type;
    final Set<OperationType> ops;
    final Map<String, String> attributes;
    final Set<String> localGroups = new TreeSet<>();

    FakeDirectory(
        long id,
        String name,
        DirectoryType type,
        Set<OperationType> ops,
        Map<String, String> attributes) {
      this.id = id;
      this.name = name;
      this.type = type;
      this.ops = EnumSet.noneOf(OperationType.class);
      this.ops.addAll(ops);
      this.attributes = attributes;
    }

    /** Turns on local groups, naming the groups that really are local. */
    public FakeDirectory withLocalGroups(String... names) {
      attributes.put("ldap.local.groups", "true");
      for (String n : names) {
        localGroups.add(fold(n));
      }
      return this;
    }

    @Override
    public Long getId() {
      return id;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isActive() {
      return true;
    }

    @Override
    public DirectoryType getType() {
      return type;
    }

    @Override
    public Set<OperationType> getAllowedOperations() {
      return EnumSet.copyOf(ops.isEmpty() ? EnumSet.noneOf(OperationType.class) : ops);
    }

    @Override
    public Map<String, String> getAttributes() {
      return new LinkedHashMap<>(attributes);
    }
  }

  /** A directory user that records its creation time, as internal users do. */
  public static final class FakeUser implements TimestampedUser, UserWithAttributes {
    String name;
    final long directoryId;

    /** Full name. */
    public String displayName;

    /** Email. */
    public String email;

    /** Active flag. */
    public boolean active;

    /** Creation time, UTC ms; 0 means not recorded (like LDAP). */
    public long created;

    /** Directory attributes (Crowd keeps them as strings, e.g. {@code lastAuthenticated}). */
    public final Map<String, String> attributes = new HashMap<>();

    FakeUser(String name, long directoryId) {
      this.name = name;
      this.directoryId = directoryId;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public String getDisplayName() {
      return displayName;
    }

    @Override
    public String getEmailAddress() {
      return email;
    }

    @Override
    public boolean isActive() {
      return active;
    }

    @Override
    public long getDirectoryId() {
      return directoryId;
    }

    @Override
    public String getValue(String key) {
      return attributes.get(key);
    }

    @Override
    public Date getCreatedDate() {
      return created == 0 ? null : new Date(created);
    }
  }
}
