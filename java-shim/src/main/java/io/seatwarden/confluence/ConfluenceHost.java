package io.seatwarden.confluence;

import static io.seatwarden.product.GroupNames.containsIgnoreCase;
import static io.seatwarden.product.GroupNames.intersects;

import com.atlassian.confluence.license.exception.LicenseException;
import com.atlassian.confluence.security.SpacePermission;
import com.atlassian.confluence.security.login.LoginInfo;
import com.atlassian.confluence.user.ConfluenceUser;
import com.atlassian.confluence.user.UserAccessor;
import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.OperationType;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.extras.api.confluence.ConfluenceLicense;
import com.atlassian.sal.api.user.UserKey;
import com.atlassian.user.EntityException;
import com.atlassian.user.Group;
import com.atlassian.user.impl.DefaultUser;
import com.atlassian.user.security.password.Credential;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult.FailureKind;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.UsersPage;
import io.seatwarden.product.CrowdActivity;
import io.seatwarden.product.CrowdDirectories;
import io.seatwarden.product.CrowdUserPager;
import io.seatwarden.product.Failures;
import io.seatwarden.product.NoActingUserException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Confluence Data Center as a Seatwarden {@link Host}.
 *
 * <p>Reads: directories from embedded Crowd; licence groups are the groups holding the global "can
 * use" permission, admin groups those holding "Confluence administrator" or "system administrator"
 * plus the built-in super-user group; the single licence's limit from the installed licence and its
 * use from {@code UserChecker}. Users are paged through Crowd with their last successful login from
 * {@code LoginManager}; Confluence keeps no login count, so {@code loginCount} is always null and
 * the engine applies its documented fallback.
 *
 * <p>Writes go through {@code UserAccessor} as the automation account ({@link
 * ConfluenceActingUser}). Several of its writes log and swallow failures, so the adapter re-reads
 * the state it changed and reports a write that did not land as a failure.
 */
public final class ConfluenceHost implements Host {
  /** The application key of the one Confluence licence. */
  public static final String APPLICATION = "confluence";

  /** Confluence's built-in super-user group (its own {@code isSuperUser} checks this name). */
  static final String SUPER_USER_GROUP = "confluence-administrators";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ConfluenceServices confluence;
  private final ConfluenceActingUser acting;
  private final Clock clock;
  private final CrowdUserPager pager;

  /**
   * @param confluence the Confluence components
   * @param acting runs writes as the automation account
   * @param clock the time the header is taken at (and the fallback creation time of accounts whose
   *     directory does not record one)
   */
  public ConfluenceHost(ConfluenceServices confluence, ConfluenceActingUser acting, Clock clock) {
    this.confluence = Objects.requireNonNull(confluence, "confluence");
    this.acting = Objects.requireNonNull(acting, "acting");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.pager = new CrowdUserPager(confluence.crowdService());
  }

  private UserAccessor accessor() {
    return confluence.userAccessor();
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public DirectoryHeader header() {
    try {
      return readHeader();
    } catch (RuntimeException e) {
      throw new HostUnavailableException("the confluence directory header could not be read", e);
    }
  }

  private DirectoryHeader readHeader() {
    long now = clock.millis();
    Set<String> licenceGroups = licenceGroups();
    Set<String> adminGroups = adminGroups();
    List<DirectoryHeader.Directory> directories = new ArrayList<>();
    for (Directory d : confluence.directoryService().findAllDirectories()) {
      directories.add(CrowdDirectories.describe(d, licenceGroups));
    }
    TreeMap<String, DirectoryHeader.Group> groups = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    List<String> names = new ArrayList<>(pager.groupNames());
    names.addAll(licenceGroups);
    names.addAll(adminGroups);
    for (String name : names) {
      groups.putIfAbsent(
          name,
          new DirectoryHeader.Group(
              name, adminGroups.contains(name), licenceGroups.contains(name)));
    }
    List<DirectoryHeader.Licence> licences = new ArrayList<>();
    ConfluenceLicense licence = licence();
    if (licence != null) {
      Integer limit = licence.isUnlimitedNumberOfUsers() ? null : licence.getMaximumNumberOfUsers();
      int used = confluence.userChecker().getNumberOfRegisteredUsers();
      if (used < 0) {
        // -1 while Confluence is still counting: count the slow way.
        used = accessor().countLicenseConsumingUsers();
      }
      licences.add(
          new DirectoryHeader.Licence(
              APPLICATION, "Confluence", limit, Math.max(0, used), List.copyOf(licenceGroups)));
    }
    return new DirectoryHeader(
        now,
        List.copyOf(directories),
        List.copyOf(groups.values()),
        List.copyOf(licences),
        List.copyOf(sysadmins()),
        List.of(CrowdActivity.SIGNAL));
  }

  @Override
  public UsersPage users(String cursor, int limit) {
    CrowdUserPager.Page page;
    try {
      page = pager.page(cursor, limit);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new HostUnavailableException("the confluence users could not be read", e);
    }
    long now = clock.millis();
    List<DirectoryUser> out = new ArrayList<>(page.users().size());
    try {
      for (User u : page.users()) {
        ConfluenceUser cu = accessor().getUserByName(u.getName());
        if (cu != null) {
          out.add(toDirectoryUser(cu, u, now));
        }
      }
    } catch (RuntimeException e) {
      throw new HostUnavailableException("the confluence users could not be read", e);
    }
    return new UsersPage(List.copyOf(out), page.next());
  }

  @Override
  public Optional<DirectoryUser> user(String key) {
    return read(() -> accessor().getUserByKey(new UserKey(key)));
  }

  @Override
  public Optional<DirectoryUser> userByUsername(String username) {
    return read(() -> accessor().getUserByName(username));
  }

  private Optional<DirectoryUser> read(Supplier<ConfluenceUser> lookup) {
    try {
      ConfluenceUser cu = lookup.get();
      if (cu == null) {
        return Optional.empty();
      }
      User u = confluence.crowdService().getUser(cu.getName());
      if (u == null) {
        return Optional.empty();
      }
      return Optional.of(toDirectoryUser(cu, u, clock.millis()));
    } catch (RuntimeException e) {
      throw new HostUnavailableException("the confluence user could not be read", e);
    }
  }

  private DirectoryUser toDirectoryUser(ConfluenceUser cu, User u, long now) {
    LoginInfo info = confluence.loginManager().getLoginInfo(cu.getName());
    Date last = info == null ? null : info.getLastSuccessfulLoginDate();
    List<String> groups = new ArrayList<>(accessor().getGroupNamesForUserName(cu.getName()));
    groups.sort(String.CASE_INSENSITIVE_ORDER);
    return new DirectoryUser(
        cu.getKey().getStringValue(),
        cu.getName(),
        nullToEmpty(u.getDisplayName()),
        nullToEmpty(u.getEmailAddress()),
        u.getDirectoryId(),
        !accessor().isDeactivated(cu),
        CrowdDirectories.created(u, now),
        last == null ? null : last.getTime(),
        null,
        null,
        List.copyOf(groups),
        Collections.singletonList(
            CrowdActivity.lastAuthenticated(confluence.crowdService(), cu.getName())));
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  @Override
  public OperationResult apply(Operation operation) {
    Objects.requireNonNull(operation, "operation");
    if (operation instanceof Operation.ReassignIssues) {
      return new OperationResult.Failed(FailureKind.HOST, "issue handover is Jira-only");
    }
    try {
      return acting.callAs(admin -> applyAs(operation));
    } catch (NoActingUserException e) {
      return OperationResult.failed(FailureKind.PERMISSION_DENIED);
    } catch (RuntimeException e) {
      return Failures.fromException(e, Failures.verb(operation));
    }
  }

  private OperationResult applyAs(Operation op) {
    return op.accept(new Writes());
  }

  /**
   * Each operation as its one Confluence call. A handler over the sealed {@link Operation}: a new
   * operation does not compile until it is handled here.
   */
  private final class Writes implements Operation.Handler<OperationResult> {
    @Override
    public OperationResult activate(Operation.Activate op) {
      return setActive(op.user(), true);
    }

    @Override
    public OperationResult deactivate(Operation.Deactivate op) {
      return setActive(op.user(), false);
    }

    @Override
    public OperationResult rename(Operation.Rename op) {
      return ConfluenceHost.this.rename(op.user(), op.to());
    }

    @Override
    public OperationResult delete(Operation.Delete op) {
      return ConfluenceHost.this.delete(op.user());
    }

    @Override
    public OperationResult addToGroup(Operation.AddToGroup op) {
      return changeMembership(op.user(), op.group(), true);
    }

    @Override
    public OperationResult removeFromGroup(Operation.RemoveFromGroup op) {
      return changeMembership(op.user(), op.group(), false);
    }

    @Override
    public OperationResult reassignIssues(Operation.ReassignIssues op) {
      return new OperationResult.Failed(FailureKind.HOST, "issue handover is Jira-only");
    }

    @Override
    public OperationResult createGroup(Operation.CreateGroup op) {
      return ConfluenceHost.this.createGroup(op.group());
    }

    @Override
    public OperationResult deleteGroup(Operation.DeleteGroup op) {
      return ConfluenceHost.this.deleteGroup(op.group());
    }

    @Override
    public OperationResult createUser(Operation.CreateUser op) {
      return ConfluenceHost.this.createUser(op);
    }

    @Override
    public OperationResult updateUser(Operation.UpdateUser op) {
      return ConfluenceHost.this.updateUser(op);
    }
  }

  private ConfluenceUser byKey(String key) {
    return accessor().getUserByKey(new UserKey(key));
  }

  private OperationResult setActive(String key, boolean active) {
    ConfluenceUser cu = byKey(key);
    if (cu == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (accessor().isDeactivated(cu) != active) {
      return OperationResult.applied();
    }
    if (accessor().isReadOnly(cu)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    if (active
        && intersects(accessor().getGroupNamesForUserName(cu.getName()), licenceGroups())
        && !confluence.userChecker().isLicensedToAddMoreUsers()) {
      return OperationResult.failed(FailureKind.NO_SEAT);
    }
    if (active) {
      accessor().reactivateUser(cu);
    } else {
      accessor().deactivateUser(cu);
    }
    if (accessor().isDeactivated(cu) == active) {
      return new OperationResult.Failed(
          FailureKind.HOST, "the product did not change the account's state");
    }
    return OperationResult.applied();
  }

  private OperationResult rename(String key, String to) {
    ConfluenceUser cu = byKey(key);
    if (cu == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (cu.getName().equals(to)) {
      return OperationResult.applied();
    }
    ConfluenceUser taken = accessor().getUserByName(to);
    if (taken != null && !taken.getKey().equals(cu.getKey())) {
      return OperationResult.failed(FailureKind.ALREADY_EXISTS);
    }
    if (accessor().isReadOnly(cu)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    try {
      accessor().renameUser(cu, to);
    } catch (EntityException e) {
      return new OperationResult.Failed(
          FailureKind.HOST, "rename failed in the product (EntityException)");
    }
    return OperationResult.applied();
  }

  private OperationResult delete(String key) {
    ConfluenceUser cu = byKey(key);
    if (cu == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (accessor().isReadOnly(cu)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    boolean removable;
    try {
      removable = accessor().isUserRemovable(cu);
    } catch (EntityException e) {
      return new OperationResult.Failed(
          FailureKind.HOST, "delete failed in the product (EntityException)");
    }
    if (!removable) {
      return new OperationResult.Failed(
          FailureKind.VETOED,
          "the product does not remove this account (it exists in more than one directory)");
    }
    accessor().removeUser(cu);
    return OperationResult.applied();
  }

  private OperationResult changeMembership(String key, String groupName, boolean add) {
    ConfluenceUser cu = byKey(key);
    if (cu == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    Group group = accessor().getGroup(groupName);
    if (group == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    User u = confluence.crowdService().getUser(cu.getName());
    Directory d =
        u == null ? null : confluence.directoryService().findDirectoryById(u.getDirectoryId());
    Set<String> licenceGroups = licenceGroups();
    DirectoryHeader.Directory described =
        d == null ? null : CrowdDirectories.describe(d, licenceGroups);
    if ((described != null && !CrowdDirectories.canChangeMembership(described, group.getName()))
        || accessor().isReadOnly(group)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    // Memberships of a read-only connector change only in its local groups, and which groups are
    // local is inferred (see CrowdDirectories): a write Confluence drops is then a read-only
    // refusal.
    boolean onlyLocalGroups = described != null && !described.capabilities().updateMembership();
    List<String> held = accessor().getGroupNamesForUserName(cu.getName());
    if (containsIgnoreCase(held, group.getName()) == add) {
      return OperationResult.applied();
    }
    if (add
        && !accessor().isDeactivated(cu)
        && licenceGroups.contains(group.getName())
        && !intersects(held, licenceGroups)
        && !confluence.userChecker().isLicensedToAddMoreUsers()) {
      return OperationResult.failed(FailureKind.NO_SEAT);
    }
    if (add) {
      accessor().addMembership(group, cu);
    } else {
      accessor().removeMembership(group, cu);
    }
    if (containsIgnoreCase(accessor().getGroupNamesForUserName(cu.getName()), group.getName())
        != add) {
      if (onlyLocalGroups) {
        return new OperationResult.Failed(
            FailureKind.READ_ONLY_DIRECTORY,
            "the group is not one of the read-only directory's local groups");
      }
      return new OperationResult.Failed(
          FailureKind.HOST,
          add
              ? "the product did not add the membership"
              : "the product did not remove the membership");
    }
    return OperationResult.applied();
  }

  private OperationResult createGroup(String name) {
    if (accessor().getGroup(name) != null) {
      return OperationResult.failed(FailureKind.ALREADY_EXISTS);
    }
    if (accessor().createGroup(name) == null) {
      return new OperationResult.Failed(FailureKind.HOST, "the product did not create the group");
    }
    return OperationResult.applied();
  }

  private OperationResult deleteGroup(String name) {
    if (adminGroups().contains(name)) {
      return new OperationResult.Failed(
          FailureKind.VETOED, "a group that grants administrator rights is never deleted");
    }
    Group group = accessor().getGroup(name);
    if (group == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (accessor().isReadOnly(group)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    accessor().removeGroup(group);
    return OperationResult.applied();
  }

  private OperationResult createUser(Operation.CreateUser op) {
    // Confluence stores usernames in lower case (its own addUser lower-cases them too).
    String username = op.username().toLowerCase(Locale.ROOT);
    if (accessor().getUserByName(username) != null) {
      return OperationResult.failed(FailureKind.ALREADY_EXISTS);
    }
    if (op.directory() != null) {
      Directory d = confluence.directoryService().findDirectoryById(op.directory());
      if (d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (d.getAllowedOperations() == null
          || !d.getAllowedOperations().contains(OperationType.CREATE_USER)) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
      if (!Objects.equals(d.getId(), firstWritableDirectory())) {
        return new OperationResult.Failed(
            FailureKind.HOST, "confluence creates accounts in its first writable directory only");
      }
    }
    ConfluenceUser created =
        accessor()
            .createUser(
                new DefaultUser(username, op.displayName(), op.email()),
                Credential.unencrypted(randomPassword()));
    if (created == null) {
      return new OperationResult.Failed(FailureKind.HOST, "the product created no user");
    }
    if (!op.active()) {
      accessor().deactivateUser(created);
    }
    return new OperationResult.Applied(created.getKey().getStringValue());
  }

  private OperationResult updateUser(Operation.UpdateUser op) {
    ConfluenceUser cu = byKey(op.user());
    if (cu == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (op.displayName() == null && op.email() == null) {
      return OperationResult.applied();
    }
    if (accessor().isReadOnly(cu)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    User u = confluence.crowdService().getUser(cu.getName());
    if (u == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    String fullName = op.displayName() != null ? op.displayName() : u.getDisplayName();
    String email = op.email() != null ? op.email() : u.getEmailAddress();
    accessor().saveUser(new DefaultUser(cu.getName(), fullName, email));
    return OperationResult.applied();
  }

  // ---------------------------------------------------------------------------------------------
  // Permissions, licence

  /** Groups granted the global "can use" permission: each grants a licence seat. */
  private Set<String> licenceGroups() {
    return groupsWith(SpacePermission.USE_CONFLUENCE_PERMISSION);
  }

  /** Groups granting administration, and the built-in super-user group if it exists. */
  private Set<String> adminGroups() {
    Set<String> out = groupsWith(SpacePermission.CONFLUENCE_ADMINISTRATOR_PERMISSION);
    out.addAll(groupsWith(SpacePermission.SYSTEM_ADMINISTRATOR_PERMISSION));
    Group superUsers = accessor().getGroup(SUPER_USER_GROUP);
    if (superUsers != null) {
      out.add(superUsers.getName());
    }
    return out;
  }

  private Set<String> groupsWith(String permission) {
    Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    List<SpacePermission> grants = confluence.spacePermissions().getGlobalPermissions(permission);
    if (grants != null) {
      for (SpacePermission p : grants) {
        if (p.isGroupPermission() && p.getGroup() != null) {
          out.add(p.getGroup());
        }
      }
    }
    return out;
  }

  /**
   * Keys of system administrators: users granted the permission directly, members of groups granted
   * it, and members of the super-user group. Only accounts the users pages will contain.
   */
  private Set<String> sysadmins() {
    Set<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    Set<String> groups = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    List<SpacePermission> grants =
        confluence
            .spacePermissions()
            .getGlobalPermissions(SpacePermission.SYSTEM_ADMINISTRATOR_PERMISSION);
    if (grants != null) {
      for (SpacePermission p : grants) {
        if (p.getUserSubject() != null) {
          names.add(p.getUserSubject().getName());
        } else if (p.isGroupPermission() && p.getGroup() != null) {
          groups.add(p.getGroup());
        }
      }
    }
    groups.add(SUPER_USER_GROUP);
    for (String groupName : groups) {
      Group g = accessor().getGroup(groupName);
      if (g != null) {
        names.addAll(accessor().getMemberNamesAsList(g));
      }
    }
    Set<String> keys = new LinkedHashSet<>();
    for (String name : names) {
      ConfluenceUser cu = accessor().getUserByName(name);
      if (cu != null && confluence.crowdService().getUser(cu.getName()) != null) {
        keys.add(cu.getKey().getStringValue());
      }
    }
    return keys;
  }

  private ConfluenceLicense licence() {
    try {
      return confluence.licenseService().retrieve();
    } catch (LicenseException e) {
      return null;
    }
  }

  private Long firstWritableDirectory() {
    for (Directory d : confluence.directoryService().findAllDirectories()) {
      if (d.isActive()
          && d.getAllowedOperations() != null
          && d.getAllowedOperations().contains(OperationType.CREATE_USER)) {
        return d.getId();
      }
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static String randomPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
