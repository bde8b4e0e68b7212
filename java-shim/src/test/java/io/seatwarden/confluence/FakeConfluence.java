package io.seatwarden.confluence;

import com.atlassian.confluence.license.LicenseService;
import com.atlassian.confluence.license.exception.LicenseException;
import com.atlassian.confluence.security.SpacePermission;
import com.atlassian.confluence.security.SpacePermissionManager;
import com.atlassian.confluence.security.login.LoginInfo;
import com.atlassian.confluence.security.login.LoginManager;
import com.atlassian.confluence.user.AuthenticatedUserThreadLocal;
import com.atlassian.confluence.user.ConfluenceUser;
import com.atlassian.confluence.user.UserAccessor;
import com.atlassian.confluence.util.UserChecker;
import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.OperationType;
import com.atlassian.crowd.embedded.impl.ImmutableGroup;
import com.atlassian.extras.api.confluence.ConfluenceLicense;
import com.atlassian.sal.api.user.UserKey;
import com.atlassian.user.Group;
import com.atlassian.user.User;
import com.atlassian.user.security.password.Credential;
import io.seatwarden.product.FakeCrowd;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An in-memory Confluence for {@link ConfluenceHost}'s tests. Writes check the thread's
 * authenticated user the way {@code DefaultUserAccessor} does (only members of the super-user group
 * may write), activation is the Crowd active flag, and membership writes can be made to fail
 * silently, as Confluence's {@code addMembership} does when the directory refuses.
 */
final class FakeConfluence {
  static final long NOW = 1_763_700_000_000L;
  static final long INTERNAL = 1L;
  static final long LDAP = 2L;

  final FakeCrowd crowd = new FakeCrowd();
  final Map<String, String> keysByName = new HashMap<>();
  final Map<String, Long> lastLogins = new HashMap<>();
  final Map<String, List<String>> groupGrants = new HashMap<>();
  final Set<String> inSeveralDirectories = new HashSet<>();
  final List<String> writes = new ArrayList<>();
  boolean swallowMemberships;
  boolean counting;
  Integer seatLimit = 3;
  boolean noLicence;
  int nextKey = 1;

  final Accessor accessor = new Accessor();
  final Logins logins = new Logins();
  final Checker checker = new Checker();
  final Licences licences = new Licences();
  final Permissions permissions = new Permissions();

  FakeConfluence() {
    crowd.directory(
        INTERNAL, "Confluence Internal Directory", DirectoryType.INTERNAL, FakeCrowd.ALL);
    crowd.directory(
        LDAP,
        "Corporate LDAP",
        DirectoryType.CONNECTOR,
        Set.of(OperationType.UPDATE_USER_ATTRIBUTE));
    crowd.group("confluence-administrators");
  }

  ConfluenceHost host(String automationKey) {
    return new ConfluenceHost(
        new ConfluenceServices(accessor, crowd, crowd, logins, checker, licences, permissions),
        acting(automationKey),
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  }

  ConfluenceActingUser acting(String automationKey) {
    return new ConfluenceActingUser(accessor, () -> automationKey);
  }

  static String fold(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  String user(String name, long directory, boolean active, String... groups) {
    crowd.user(name, directory, active, NOW - 100L * 86_400_000L);
    String key = "8a7f80" + String.format("%06d", nextKey++);
    keysByName.put(fold(name), key);
    for (String g : groups) {
      crowd.member(name, g);
    }
    return key;
  }

  void grant(String permission, String... groups) {
    for (String g : groups) {
      crowd.group(g);
    }
    groupGrants.put(permission, List.of(groups));
  }

  CUser byName(String name) {
    FakeCrowd.FakeUser u = crowd.find(name);
    String key = keysByName.get(fold(name));
    return u == null || key == null ? null : new CUser(key, u);
  }

  CUser byKey(String key) {
    for (Map.Entry<String, String> e : keysByName.entrySet()) {
      if (e.getValue().equals(key)) {
        return byName(e.getKey());
      }
    }
    return null;
  }

  int licensedUsers() {
    Set<String> holders = new TreeSet<>();
    for (String g :
        groupGrants.getOrDefault(SpacePermission.USE_CONFLUENCE_PERMISSION, List.of())) {
      for (String m : crowd.membersOf(g)) {
        if (crowd.find(m).isActive()) {
          holders.add(fold(m));
        }
      }
    }
    return holders.size();
  }

  /** Stands in for Confluence's unchecked InsufficientPrivilegeException (matched by name). */
  static final class InsufficientPrivilegeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InsufficientPrivilegeException(String message) {
      super(message);
    }
  }

  void checkWriter() {
    ConfluenceUser current = AuthenticatedUserThreadLocal.get();
    if (current == null
        || !crowd.isUserMemberOfGroup(current.getName(), "confluence-administrators")) {
      throw new InsufficientPrivilegeException(current == null ? "anonymous" : current.getName());
    }
  }

  static final class CUser implements ConfluenceUser {
    final String key;
    final FakeCrowd.FakeUser user;

    CUser(String key, FakeCrowd.FakeUser user) {
      this.key = key;
      this.user = user;
    }

    @Override
    public UserKey getKey() {
      return new UserKey(key);
    }

    @Override
    public String getLowerName() {
      return fold(user.getName());
    }

    @Override
    public String getName() {
      return user.getName();
    }

    @Override
    public String getFullName() {
      return user.displayName;
    }

    @Override
    public String getEmail() {
      return user.email;
    }
  }

  record UGroup(String name) implements Group {
    @Override
    public String getName() {
      return name;
    }
  }

  final class Accessor implements UserAccessor {
    @Override
    public ConfluenceUser getUserByName(String name) {
      return byName(name);
    }

    @Override
    public ConfluenceUser getUserByKey(UserKey key) {
      return byKey(key.getStringValue());
    }

    @Override
    public boolean isDeactivated(String username) {
      return !crowd.find(username).isActive();
    }

    @Override
    public boolean isDeactivated(User user) {
      return !crowd.find(user.getName()).isActive();
    }

    @Override
    public void deactivateUser(User user) {
      checkWriter();
      writes.add("deactivateUser");
      crowd.find(user.getName()).active = false;
    }

    @Override
    public void reactivateUser(User user) {
      checkWriter();
      writes.add("reactivateUser");
      crowd.find(user.getName()).active = true;
    }

    @Override
    public ConfluenceUser renameUser(ConfluenceUser user, String newUsername) {
      checkWriter();
      writes.add("renameUser");
      String key = keysByName.remove(fold(user.getName()));
      crowd.rename(user.getName(), newUsername);
      keysByName.put(fold(newUsername), key);
      return byName(newUsername);
    }

    @Override
    public boolean isUserRemovable(User user) {
      return !isReadOnly(user) && !inSeveralDirectories.contains(fold(user.getName()));
    }

    @Override
    public void removeUser(User user) {
      checkWriter();
      writes.add("removeUser");
      crowd.removeUserNow(user.getName());
      keysByName.remove(fold(user.getName()));
    }

    @Override
    public ConfluenceUser createUser(User userTemplate, Credential credential) {
      checkWriter();
      writes.add("createUser");
      String key = user(userTemplate.getName(), INTERNAL, true);
      FakeCrowd.FakeUser u = crowd.find(userTemplate.getName());
      u.displayName = userTemplate.getFullName();
      u.email = userTemplate.getEmail();
      return byKey(key);
    }

    @Override
    public boolean isReadOnly(User user) {
      FakeCrowd.FakeUser u = crowd.find(user.getName());
      return !crowd
          .findDirectoryById(u.getDirectoryId())
          .getAllowedOperations()
          .contains(OperationType.UPDATE_USER);
    }

    @Override
    public boolean isReadOnly(Group group) {
      return false;
    }

    @Override
    public Group getGroup(String name) {
      com.atlassian.crowd.embedded.api.Group g = crowd.getGroup(name);
      return g == null ? null : new UGroup(g.getName());
    }

    @Override
    public Group createGroup(String groupname) {
      checkWriter();
      writes.add("createGroup");
      crowd.group(groupname);
      return getGroup(groupname);
    }

    @Override
    public void removeGroup(Group group) {
      checkWriter();
      writes.add("removeGroup");
      crowd.removeGroup(new ImmutableGroup(group.getName()));
    }

    @Override
    public void addMembership(Group group, User user) {
      checkWriter();
      writes.add("addMembership");
      if (!swallowMemberships) {
        crowd.member(user.getName(), group.getName());
      }
    }

    @Override
    public boolean removeMembership(Group group, User user) {
      checkWriter();
      writes.add("removeMembership");
      if (swallowMemberships) {
        return false;
      }
      try {
        return crowd.removeUserFromGroup(
            crowd.getUser(user.getName()), new ImmutableGroup(group.getName()));
      } catch (com.atlassian.crowd.exception.OperationNotPermittedException e) {
        return false;
      }
    }

    @Override
    public List<String> getGroupNamesForUserName(String userName) {
      return crowd.groupsOf(userName);
    }

    @Override
    public List<String> getMemberNamesAsList(Group group) {
      return crowd.membersOf(group.getName());
    }

    @Override
    public boolean isSuperUser(User user) {
      return crowd.isUserMemberOfGroup(user.getName(), "confluence-administrators");
    }

    @Override
    public int countLicenseConsumingUsers() {
      return licensedUsers();
    }

    @Override
    public boolean isLicensedToAddMoreUsers() {
      return checker.isLicensedToAddMoreUsers();
    }

    @Override
    public void saveUser(User user) {
      checkWriter();
      writes.add("saveUser");
      FakeCrowd.FakeUser u = crowd.find(user.getName());
      u.displayName = user.getFullName();
      u.email = user.getEmail();
    }
  }

  final class Logins implements LoginManager {
    @Override
    public void resetFailedLoginCount(User user) {
      writes.add("resetFailedLoginCount " + user.getName());
    }

    @Override
    public LoginInfo getLoginInfo(String userName) {
      Long last = lastLogins.get(fold(userName));
      return new LoginInfo() {
        @Override
        public Date getLastSuccessfulLoginDate() {
          return last == null ? null : new Date(last);
        }

        @Override
        public boolean requiresElevatedSecurityCheck() {
          return false;
        }
      };
    }

    @Override
    public LoginInfo getLoginInfo(User user) {
      return getLoginInfo(user.getName());
    }
  }

  final class Checker implements UserChecker {
    @Override
    public int getNumberOfRegisteredUsers() {
      return counting ? -1 : licensedUsers();
    }

    @Override
    public boolean isLicensedToAddMoreUsers() {
      return seatLimit == null || licensedUsers() < seatLimit;
    }

    @Override
    public void resetResult() {}
  }

  final class Licences implements LicenseService {
    @Override
    public ConfluenceLicense retrieve() {
      if (noLicence) {
        throw new LicenseException("no licence");
      }
      return new ConfluenceLicense() {
        @Override
        public boolean isUnlimitedNumberOfUsers() {
          return seatLimit == null;
        }

        @Override
        public int getMaximumNumberOfUsers() {
          return seatLimit == null ? -1 : seatLimit;
        }
      };
    }
  }

  static final class Grant extends SpacePermission {
    final String type;
    final String group;
    final ConfluenceUser user;

    Grant(String type, String group, ConfluenceUser user) {
      this.type = type;
      this.group = group;
      this.user = user;
    }

    @Override
    public String getType() {
      return type;
    }

    @Override
    public boolean isGroupPermission() {
      return group != null;
    }

    @Override
    public String getGroup() {
      return group;
    }

    @Override
    public ConfluenceUser getUserSubject() {
      return user;
    }
  }

  final Map<String, List<String>> userGrants = new HashMap<>();

  final class Permissions implements SpacePermissionManager {
    @Override
    public List<SpacePermission> getGlobalPermissions(String permissionType) {
      List<SpacePermission> out = new ArrayList<>();
      for (String g : groupGrants.getOrDefault(permissionType, List.of())) {
        out.add(new Grant(permissionType, g, null));
      }
      for (String u : userGrants.getOrDefault(permissionType, List.of())) {
        out.add(new Grant(permissionType, null, byName(u)));
      }
      return out;
    }
  }
}
