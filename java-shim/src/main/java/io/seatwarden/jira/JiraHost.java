package io.seatwarden.jira;

import static io.seatwarden.product.GroupNames.containsIgnoreCase;
import static io.seatwarden.product.GroupNames.intersects;

import com.atlassian.application.api.ApplicationKey;
import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.Group;
import com.atlassian.crowd.embedded.api.OperationType;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.embedded.impl.ImmutableGroup;
import com.atlassian.crowd.exception.OperationNotPermittedException;
import com.atlassian.crowd.exception.embedded.InvalidGroupException;
import com.atlassian.jira.application.ApplicationRole;
import com.atlassian.jira.bc.JiraServiceContext;
import com.atlassian.jira.bc.JiraServiceContextImpl;
import com.atlassian.jira.bc.security.login.LoginInfo;
import com.atlassian.jira.bc.user.ApplicationUserBuilder;
import com.atlassian.jira.bc.user.UserService;
import com.atlassian.jira.exception.CreateException;
import com.atlassian.jira.exception.PermissionException;
import com.atlassian.jira.permission.GlobalPermissionKey;
import com.atlassian.jira.user.ApplicationUser;
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
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Jira Data Center as a Seatwarden {@link Host}.
 *
 * <p>Reads: directories and their capabilities from embedded Crowd, licences and their groups from
 * {@code ApplicationRoleManager}, admin groups and system administrators from global permissions,
 * users paged through Crowd with last login and login count from {@code LoginService}. Writes run
 * as the automation account ({@link JiraActingUser}) through Jira's validate-then-act services; a
 * refusal is a typed {@link OperationResult.Failed}, never an exception. The adapter adds only the
 * checks Jira cannot make itself before a write: a free licence seat for a reactivation or a
 * licence-group membership, and never deleting a group that grants administrator rights.
 *
 * <p>Jira caches its licence counts; a write that changes who holds a seat marks them stale and
 * {@link JiraLicenceCounts} flushes Jira's cache once, before the next licence read or at the end
 * of the batch of work, so neither Jira's own figures nor the next header or seat check see the
 * count from before the write.
 */
public final class JiraHost implements Host {
  private final JiraServices jira;
  private final JiraActingUser acting;
  private final Clock clock;
  private final CrowdUserPager pager;
  private final JiraIssueHandover handover;
  private final JiraLicenceCounts licenceCounts;

  /**
   * @param jira the Jira components
   * @param acting runs writes as the automation account
   * @param clock the time the header is taken at (and the fallback creation time of accounts whose
   *     directory does not record one, so that new-account grace periods protect them)
   */
  public JiraHost(JiraServices jira, JiraActingUser acting, Clock clock) {
    this.jira = Objects.requireNonNull(jira, "jira");
    this.acting = Objects.requireNonNull(acting, "acting");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.pager = new CrowdUserPager(jira.crowdService());
    this.handover =
        new JiraIssueHandover(jira.userManager(), jira.searchService(), jira.issueService());
    this.licenceCounts = new JiraLicenceCounts(jira.licenseCounts());
    acting.afterBatch(licenceCounts::settle);
  }

  /** Jira's licence-count cache as this host keeps it fresh (tests and diagnostics). */
  public JiraLicenceCounts licenceCounts() {
    return licenceCounts;
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public DirectoryHeader header() {
    try {
      return readHeader();
    } catch (RuntimeException e) {
      throw new HostUnavailableException("the jira directory header could not be read", e);
    }
  }

  private DirectoryHeader readHeader() {
    long now = clock.millis();
    licenceCounts.settle();
    List<ApplicationRole> roles = roles();
    Set<String> licenceGroups = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    List<DirectoryHeader.Licence> licences = new ArrayList<>();
    for (ApplicationRole role : roles) {
      ApplicationKey key = role.getKey();
      List<String> groups = sortedNames(role.getGroups());
      licenceGroups.addAll(groups);
      int seats = role.getNumberOfSeats();
      String name = role.getName();
      licences.add(
          new DirectoryHeader.Licence(
              key.value(),
              name == null ? key.value() : name,
              seats < 0 ? null : seats,
              Math.max(0, jira.applicationRoles().getUserCount(key)),
              groups));
    }
    Set<String> adminGroups = adminGroups();
    List<DirectoryHeader.Directory> directories = new ArrayList<>();
    for (Directory d : jira.directoryService().findAllDirectories()) {
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
    Set<String> sysadmins = new LinkedHashSet<>();
    for (Group g :
        jira.globalPermissions().getGroupsWithPermission(GlobalPermissionKey.SYSTEM_ADMIN)) {
      for (ApplicationUser u : jira.groupManager().getUsersInGroup(g)) {
        sysadmins.add(u.getKey());
      }
    }
    return new DirectoryHeader(
        now,
        List.copyOf(directories),
        List.copyOf(groups.values()),
        List.copyOf(licences),
        List.copyOf(sysadmins),
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
      throw new HostUnavailableException("the jira users could not be read", e);
    }
    long now = clock.millis();
    List<DirectoryUser> out = new ArrayList<>(page.users().size());
    try {
      for (User u : page.users()) {
        ApplicationUser au = jira.userManager().getUserByName(u.getName());
        if (au != null) {
          out.add(toDirectoryUser(au, u, now));
        }
      }
    } catch (RuntimeException e) {
      throw new HostUnavailableException("the jira users could not be read", e);
    }
    return new UsersPage(List.copyOf(out), page.next());
  }

  @Override
  public Optional<DirectoryUser> user(String key) {
    return read(() -> jira.userManager().getUserByKey(key));
  }

  @Override
  public Optional<DirectoryUser> userByUsername(String username) {
    return read(() -> jira.userManager().getUserByName(username));
  }

  private Optional<DirectoryUser> read(java.util.function.Supplier<ApplicationUser> lookup) {
    try {
      ApplicationUser au = lookup.get();
      if (au == null) {
        return Optional.empty();
      }
      return Optional.of(toDirectoryUser(au, au.getDirectoryUser(), clock.millis()));
    } catch (RuntimeException e) {
      throw new HostUnavailableException("the jira user could not be read", e);
    }
  }

  private DirectoryUser toDirectoryUser(ApplicationUser au, User crowdUser, long now) {
    LoginInfo info = jira.loginService().getLoginInfo(au.getUsername());
    Long lastLogin = info == null ? null : info.getLastLoginTime();
    Long count = info == null ? null : info.getLoginCount();
    // Jira counts logins: no count recorded means none yet, not "unknown".
    int loginCount = count == null ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, count));
    List<String> groups = new ArrayList<>(jira.groupManager().getGroupNamesForUser(au));
    groups.sort(String.CASE_INSENSITIVE_ORDER);
    return new DirectoryUser(
        au.getKey(),
        au.getUsername(),
        nullToEmpty(au.getDisplayName()),
        nullToEmpty(au.getEmailAddress()),
        au.getDirectoryId(),
        au.isActive(),
        CrowdDirectories.created(crowdUser == null ? au.getDirectoryUser() : crowdUser, now),
        lastLogin,
        loginCount,
        null,
        List.copyOf(groups),
        Collections.singletonList(
            CrowdActivity.lastAuthenticated(jira.crowdService(), au.getUsername())));
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  @Override
  public OperationResult apply(Operation operation) {
    Objects.requireNonNull(operation, "operation");
    try {
      return acting.callAs(admin -> applyAs(admin, operation));
    } catch (NoActingUserException e) {
      return OperationResult.failed(FailureKind.PERMISSION_DENIED);
    } catch (RuntimeException e) {
      return Failures.fromException(e, Failures.verb(operation));
    }
  }

  private OperationResult applyAs(ApplicationUser admin, Operation op) {
    return op.accept(new Writes(admin));
  }

  /**
   * Each operation as its one Jira call, as {@code admin}. A handler over the sealed {@link
   * Operation}: a new operation does not compile until it is handled here.
   */
  private final class Writes implements Operation.Handler<OperationResult> {
    private final ApplicationUser admin;

    Writes(ApplicationUser admin) {
      this.admin = admin;
    }

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
      return JiraHost.this.rename(op.user(), op.to());
    }

    @Override
    public OperationResult delete(Operation.Delete op) {
      return JiraHost.this.delete(admin, op.user());
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
      return handover.reassign(admin, op);
    }

    @Override
    public OperationResult createGroup(Operation.CreateGroup op) {
      return JiraHost.this.createGroup(op.group());
    }

    @Override
    public OperationResult deleteGroup(Operation.DeleteGroup op) {
      return JiraHost.this.deleteGroup(admin, op.group());
    }

    @Override
    public OperationResult createUser(Operation.CreateUser op) {
      return JiraHost.this.createUser(admin, op);
    }

    @Override
    public OperationResult updateUser(Operation.UpdateUser op) {
      return JiraHost.this.updateUser(op);
    }
  }

  private OperationResult setActive(String key, boolean active) {
    ApplicationUser u = jira.userManager().getUserByKey(key);
    if (u == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (u.isActive() == active) {
      return OperationResult.applied();
    }
    if (!jira.userManager().canUpdateUser(u)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    Collection<String> held = jira.groupManager().getGroupNamesForUser(u);
    if (active && !seatsFree(held, List.of())) {
      return OperationResult.failed(FailureKind.NO_SEAT);
    }
    OperationResult result =
        update(u, jira.userService().newUserBuilder(u).active(active).build(), personal(u));
    if (result instanceof OperationResult.Applied && holdsLicence(held)) {
      licenceCounts.activeChanged(key, active);
    }
    return result;
  }

  private OperationResult rename(String key, String to) {
    ApplicationUser u = jira.userManager().getUserByKey(key);
    if (u == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (u.getUsername().equals(to)) {
      return OperationResult.applied();
    }
    ApplicationUser taken = jira.userManager().getUserByName(to);
    if (taken != null && !taken.getKey().equals(u.getKey())) {
      return OperationResult.failed(FailureKind.ALREADY_EXISTS);
    }
    if (!jira.userManager().canRenameUser(u)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    List<String> personal = personal(u);
    personal.add(to);
    return update(u, jira.userService().newUserBuilder(u).name(to).build(), personal);
  }

  /** Jira's validate-then-update pair; validation errors become the typed failure. */
  private OperationResult update(
      ApplicationUser original, ApplicationUser changed, List<String> personal) {
    UserService.UpdateUserValidationResult result = jira.userService().validateUpdateUser(changed);
    if (result == null || !result.isValid()) {
      return JiraErrors.refused(result == null ? null : result.getErrorCollection(), personal);
    }
    jira.userService().updateUser(result);
    return OperationResult.applied();
  }

  private OperationResult delete(ApplicationUser admin, String key) {
    ApplicationUser u = jira.userManager().getUserByKey(key);
    if (u == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    Directory d = jira.userManager().getDirectory(u.getDirectoryId());
    if (d != null
        && (d.getAllowedOperations() == null
            || !d.getAllowedOperations().contains(OperationType.DELETE_USER))) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    UserService.DeleteUserValidationResult result = jira.userService().validateDeleteUser(admin, u);
    if (result == null || !result.isValid()) {
      return JiraErrors.refused(result == null ? null : result.getErrorCollection(), personal(u));
    }
    boolean seat = u.isActive() && holdsLicence(jira.groupManager().getGroupNamesForUser(u));
    jira.userService().removeUser(admin, result);
    if (seat) {
      licenceCounts.changed();
    }
    return OperationResult.applied();
  }

  private OperationResult changeMembership(String key, String groupName, boolean add) {
    ApplicationUser u = jira.userManager().getUserByKey(key);
    if (u == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    Group group = jira.crowdService().getGroup(groupName);
    if (group == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    Directory d = jira.userManager().getDirectory(u.getDirectoryId());
    if (d != null
        && !CrowdDirectories.canChangeMembership(
            CrowdDirectories.describe(d, licenceGroups()), group.getName())) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    Collection<String> held = jira.groupManager().getGroupNamesForUser(u);
    boolean member = containsIgnoreCase(held, group.getName());
    if (member == add) {
      return OperationResult.applied();
    }
    if (add && u.isActive() && !seatsFree(List.of(group.getName()), held)) {
      return OperationResult.failed(FailureKind.NO_SEAT);
    }
    try {
      if (add) {
        jira.crowdService().addUserToGroup(u.getDirectoryUser(), group);
      } else {
        jira.crowdService().removeUserFromGroup(u.getDirectoryUser(), group);
      }
    } catch (OperationNotPermittedException e) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    if (u.isActive() && containsIgnoreCase(licenceGroups(), group.getName())) {
      licenceCounts.changed();
    }
    if (!add && containsIgnoreCase(jira.groupManager().getGroupNamesForUser(u), group.getName())) {
      return new OperationResult.Failed(
          FailureKind.VETOED, "the membership is inherited through a nested group and stays");
    }
    return OperationResult.applied();
  }

  private OperationResult createGroup(String name) {
    if (jira.crowdService().getGroup(name) != null) {
      return OperationResult.failed(FailureKind.ALREADY_EXISTS);
    }
    try {
      jira.crowdService().addGroup(new ImmutableGroup(name));
    } catch (InvalidGroupException e) {
      return new OperationResult.Failed(FailureKind.VETOED, "the product refused the group name");
    } catch (OperationNotPermittedException e) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    return OperationResult.applied();
  }

  private OperationResult deleteGroup(ApplicationUser admin, String name) {
    if (adminGroups().contains(name)) {
      return new OperationResult.Failed(
          FailureKind.VETOED, "a group that grants administrator rights is never deleted");
    }
    if (jira.crowdService().getGroup(name) == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    JiraServiceContext validation = new JiraServiceContextImpl(admin);
    if (!jira.groupService().validateDelete(validation, name, null)) {
      return JiraErrors.refused(validation.getErrorCollection(), List.of());
    }
    boolean licenceGroup = containsIgnoreCase(licenceGroups(), name);
    JiraServiceContext deletion = new JiraServiceContextImpl(admin);
    if (!jira.groupService().delete(deletion, name, null)) {
      return JiraErrors.refused(deletion.getErrorCollection(), List.of());
    }
    if (licenceGroup) {
      licenceCounts.changed();
    }
    return OperationResult.applied();
  }

  private OperationResult createUser(ApplicationUser admin, Operation.CreateUser op) {
    if (jira.userManager().getUserByName(op.username()) != null) {
      return OperationResult.failed(FailureKind.ALREADY_EXISTS);
    }
    if (op.directory() != null) {
      Directory d = jira.userManager().getDirectory(op.directory());
      if (d == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (d.getAllowedOperations() == null
          || !d.getAllowedOperations().contains(OperationType.CREATE_USER)) {
        return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
      }
    }
    List<String> personal =
        new ArrayList<>(Arrays.asList(op.username(), op.displayName(), op.email()));
    // No password: Jira generates one; the person sets their own through "forgot password".
    UserService.CreateUserRequest request =
        UserService.CreateUserRequest.withUserDetails(
                admin, op.username(), null, op.email(), op.displayName())
            .sendNotification(false);
    if (op.directory() != null) {
      request = request.inDirectory(op.directory());
    }
    UserService.CreateUserValidationResult result = jira.userService().validateCreateUser(request);
    if (result == null || !result.isValid()) {
      return JiraErrors.refused(result == null ? null : result.getErrorCollection(), personal);
    }
    ApplicationUser created;
    try {
      created = jira.userService().createUser(result);
    } catch (PermissionException e) {
      return OperationResult.failed(FailureKind.PERMISSION_DENIED);
    } catch (CreateException e) {
      return new OperationResult.Failed(
          FailureKind.HOST, "create user failed in the product (CreateException)");
    }
    if (created == null) {
      return new OperationResult.Failed(FailureKind.HOST, "the product created no user");
    }
    // A new account joins the default applications' groups, so it may take a seat.
    licenceCounts.changed();
    if (!op.active()) {
      OperationResult deactivated =
          update(
              created, jira.userService().newUserBuilder(created).active(false).build(), personal);
      if (deactivated instanceof OperationResult.Failed) {
        OperationResult.Failed f = (OperationResult.Failed) deactivated;
        return new OperationResult.Failed(
            f.reason(), "the account was created active; deactivating it failed: " + f.detail());
      }
    }
    return new OperationResult.Applied(created.getKey());
  }

  private OperationResult updateUser(Operation.UpdateUser op) {
    ApplicationUser u = jira.userManager().getUserByKey(op.user());
    if (u == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    if (op.displayName() == null && op.email() == null) {
      return OperationResult.applied();
    }
    if (!jira.userManager().canUpdateUser(u)) {
      return OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY);
    }
    ApplicationUserBuilder builder = jira.userService().newUserBuilder(u);
    if (op.displayName() != null) {
      builder = builder.displayName(op.displayName());
    }
    if (op.email() != null) {
      builder = builder.emailAddress(op.email());
    }
    List<String> personal = personal(u);
    personal.add(op.displayName());
    personal.add(op.email());
    return update(u, builder.build(), personal);
  }

  // ---------------------------------------------------------------------------------------------
  // Licences and admin groups

  private List<ApplicationRole> roles() {
    List<ApplicationRole> roles = new ArrayList<>(jira.applicationRoles().getRoles());
    roles.sort(Comparator.comparing(r -> r.getKey().value()));
    return roles;
  }

  private Set<String> licenceGroups() {
    Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (ApplicationRole role : jira.applicationRoles().getRoles()) {
      out.addAll(sortedNames(role.getGroups()));
    }
    return out;
  }

  /** Groups granting Jira Administrators or Jira System Administrators. */
  private Set<String> adminGroups() {
    Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
    for (GlobalPermissionKey key :
        List.of(GlobalPermissionKey.ADMINISTER, GlobalPermissionKey.SYSTEM_ADMIN)) {
      Collection<Group> groups = jira.globalPermissions().getGroupsWithPermission(key);
      if (groups != null) {
        for (Group g : groups) {
          out.add(g.getName());
        }
      }
    }
    return out;
  }

  /**
   * Whether every application that {@code newGroups} would newly grant (not already granted by
   * {@code heldGroups}) still has a free seat.
   */
  private boolean seatsFree(Collection<String> newGroups, Collection<String> heldGroups) {
    licenceCounts.settle();
    for (ApplicationRole role : jira.applicationRoles().getRoles()) {
      List<String> roleGroups = sortedNames(role.getGroups());
      if (!intersects(roleGroups, newGroups) || intersects(roleGroups, heldGroups)) {
        continue;
      }
      if (!jira.applicationRoles().hasSeatsAvailable(role.getKey(), 1)) {
        return false;
      }
    }
    return true;
  }

  /** Whether any of {@code groups} grants a Jira application (so its member takes a seat). */
  private boolean holdsLicence(Collection<String> groups) {
    return intersects(licenceGroups(), groups);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static List<String> sortedNames(Collection<Group> groups) {
    List<String> names = new ArrayList<>();
    if (groups != null) {
      for (Group g : groups) {
        names.add(g.getName());
      }
    }
    names.sort(String.CASE_INSENSITIVE_ORDER);
    return names;
  }

  private static List<String> personal(ApplicationUser u) {
    return new ArrayList<>(
        Arrays.asList(u.getUsername(), u.getDisplayName(), u.getEmailAddress(), u.getKey()));
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
