package io.seatwarden.jira;

import com.atlassian.application.api.ApplicationKey;
import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.Group;
import com.atlassian.crowd.embedded.api.OperationType;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.embedded.impl.ImmutableGroup;
import com.atlassian.jira.application.ApplicationRole;
import com.atlassian.jira.application.ApplicationRoleManager;
import com.atlassian.jira.bc.JiraServiceContext;
import com.atlassian.jira.bc.group.GroupService;
import com.atlassian.jira.bc.issue.IssueService;
import com.atlassian.jira.bc.issue.search.SearchService;
import com.atlassian.jira.bc.security.login.LoginInfo;
import com.atlassian.jira.bc.security.login.LoginService;
import com.atlassian.jira.bc.user.ApplicationUserBuilder;
import com.atlassian.jira.bc.user.UserService;
import com.atlassian.jira.issue.Issue;
import com.atlassian.jira.issue.search.SearchResults;
import com.atlassian.jira.license.LicenseCountService;
import com.atlassian.jira.permission.GlobalPermissionKey;
import com.atlassian.jira.project.Project;
import com.atlassian.jira.security.GlobalPermissionManager;
import com.atlassian.jira.security.JiraAuthenticationContext;
import com.atlassian.jira.security.groups.GroupManager;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.user.util.UserManager;
import com.atlassian.jira.util.ErrorCollection;
import com.atlassian.jira.util.SimpleErrorCollection;
import com.atlassian.jira.web.bean.PagerFilter;
import com.atlassian.query.Query;
import io.seatwarden.product.FakeCrowd;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-memory Jira for {@link JiraHost}'s tests: one fake per mirrored service, sharing a {@link
 * FakeCrowd}. It imitates the behaviour the adapter relies on (validation runs as the context user,
 * a read-only directory refuses updates, vetoes arrive as error collections, seats are counted from
 * active members of licence groups) and records the calls made.
 */
final class FakeJira {
  static final long NOW = 1_763_700_000_000L;
  static final long INTERNAL = 1L;
  static final long LDAP = 2L;

  final FakeCrowd crowd = new FakeCrowd();
  final Map<String, String> keysByName = new HashMap<>();
  final Map<String, long[]> logins = new HashMap<>();
  final List<Role> roles = new ArrayList<>();
  final Set<String> administerGroups = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
  final Set<String> sysadminGroups = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);

  /** Update vetoes by user key: message, reason (null = none). */
  final Map<String, Object[]> updateVetoes = new HashMap<>();

  /** Delete vetoes by user key. */
  final Map<String, String> deleteVetoes = new HashMap<>();

  final Map<String, String> groupDeleteVetoes = new HashMap<>();
  final Map<Long, FakeIssue> issues = new LinkedHashMap<>();
  final List<String> calls = new ArrayList<>();

  /** Who the context held during each validateUpdateUser. */
  final List<String> validatedAs = new ArrayList<>();

  Consumer<ApplicationUser> onUpdate = u -> {};
  int nextKey = 10_000;

  final Context context = new Context();
  final Users users = new Users();
  final Service service = new Service();
  final Groups groups = new Groups();
  final GroupSvc groupService = new GroupSvc();
  final Permissions permissions = new Permissions();
  final Roles roleManager = new Roles();
  final Logins loginService = new Logins();
  final Search search = new Search();
  final Issues issueService = new Issues();
  final Licences licences = new Licences();

  FakeJira() {
    crowd.directory(INTERNAL, "Jira Internal Directory", DirectoryType.INTERNAL, FakeCrowd.ALL);
    crowd.directory(
        LDAP,
        "Corporate LDAP",
        DirectoryType.CONNECTOR,
        Set.of(OperationType.UPDATE_USER_ATTRIBUTE));
  }

  JiraServices services() {
    return new JiraServices(
        users,
        service,
        crowd,
        crowd,
        groups,
        groupService,
        permissions,
        roleManager,
        loginService,
        search,
        issueService,
        licences);
  }

  JiraHost host(String automationKey) {
    return new JiraHost(
        services(), acting(automationKey), Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  }

  JiraActingUser acting(String automationKey) {
    return new JiraActingUser(context, users, () -> automationKey);
  }

  // --- set-up ----------------------------------------------------------------------------------

  /** Adds a user in a directory and returns its key. */
  String user(String name, long directory, boolean active, String... groupNames) {
    crowd.user(name, directory, active, NOW - 400L * 86_400_000L);
    String key = "JIRAUSER" + nextKey++;
    keysByName.put(fold(name), key);
    for (String g : groupNames) {
      crowd.member(name, g);
    }
    return key;
  }

  void role(String key, String name, int seats, String... groupNames) {
    for (String g : groupNames) {
      crowd.group(g);
    }
    roles.add(new Role(ApplicationKey.valueOf(key), name, seats, List.of(groupNames)));
  }

  Project project(String key, String leadKey) {
    return new FakeProject((long) key.hashCode(), key, leadKey);
  }

  FakeIssue issue(long id, String key, Project project, String assigneeKey, boolean resolved) {
    FakeIssue issue = new FakeIssue(id, key, project, assigneeKey, resolved);
    issues.put(id, issue);
    return issue;
  }

  AppUser byKey(String key) {
    for (Map.Entry<String, String> e : keysByName.entrySet()) {
      if (e.getValue().equals(key)) {
        FakeCrowd.FakeUser u = crowd.find(e.getKey());
        return u == null ? null : new AppUser(key, u);
      }
    }
    return null;
  }

  AppUser byName(String name) {
    String key = keysByName.get(fold(name));
    FakeCrowd.FakeUser u = crowd.find(name);
    return key == null || u == null ? null : new AppUser(key, u);
  }

  static String fold(String s) {
    return s.toLowerCase(Locale.ROOT);
  }

  int activeSeatsUsed(Role role) {
    Set<String> holders = new TreeSet<>();
    for (String g : role.groups) {
      for (String m : crowd.membersOf(g)) {
        if (crowd.find(m).isActive()) {
          holders.add(fold(m));
        }
      }
    }
    return holders.size();
  }

  // --- value fakes -----------------------------------------------------------------------------

  record Role(ApplicationKey key, String name, int seats, List<String> groups)
      implements ApplicationRole {
    @Override
    public ApplicationKey getKey() {
      return key;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public Set<Group> getGroups() {
      Set<Group> out = new LinkedHashSet<>();
      for (String g : groups) {
        out.add(new ImmutableGroup(g));
      }
      return out;
    }

    @Override
    public int getNumberOfSeats() {
      return seats;
    }
  }

  /** An ApplicationUser view of a crowd user; {@code pending} carries a builder's changes. */
  static final class AppUser implements ApplicationUser {
    final String key;
    final FakeCrowd.FakeUser user;
    String name;
    String displayName;
    String email;
    boolean active;

    AppUser(String key, FakeCrowd.FakeUser user) {
      this.key = key;
      this.user = user;
      this.name = user.getName();
      this.displayName = user.displayName;
      this.email = user.email;
      this.active = user.active;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public String getUsername() {
      return name;
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
      return user.getDirectoryId();
    }

    @Override
    public User getDirectoryUser() {
      return user;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof AppUser && ((AppUser) o).key.equals(key);
    }

    @Override
    public int hashCode() {
      return key.hashCode();
    }
  }

  final class FakeProject implements Project {
    final Long id;
    final String key;
    String leadKey;

    FakeProject(Long id, String key, String leadKey) {
      this.id = id;
      this.key = key;
      this.leadKey = leadKey;
    }

    @Override
    public Long getId() {
      return id;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public ApplicationUser getProjectLead() {
      return leadKey == null ? null : byKey(leadKey);
    }

    @Override
    public String getLeadUserKey() {
      return leadKey;
    }
  }

  static final class FakeIssue implements Issue {
    final Long id;
    final String key;
    final Project project;
    String assignee;
    final boolean resolved;

    FakeIssue(Long id, String key, Project project, String assignee, boolean resolved) {
      this.id = id;
      this.key = key;
      this.project = project;
      this.assignee = assignee;
      this.resolved = resolved;
    }

    @Override
    public Long getId() {
      return id;
    }

    @Override
    public String getKey() {
      return key;
    }

    @Override
    public Project getProjectObject() {
      return project;
    }

    @Override
    public String getAssigneeId() {
      return assignee;
    }
  }

  static final class FakeQuery implements Query {
    final String jql;

    FakeQuery(String jql) {
      this.jql = jql;
    }
  }

  static SimpleErrorCollection errors(String message, ErrorCollection.Reason reason) {
    SimpleErrorCollection e = new SimpleErrorCollection();
    e.addErrorMessage(message);
    if (reason != null) {
      e.addReason(reason);
    }
    return e;
  }

  // --- services --------------------------------------------------------------------------------

  final class Context implements JiraAuthenticationContext {
    private final ThreadLocal<ApplicationUser> user = new ThreadLocal<>();

    @Override
    public ApplicationUser getLoggedInUser() {
      return user.get();
    }

    @Override
    public void setLoggedInUser(ApplicationUser u) {
      user.set(u);
    }
  }

  final class Users implements UserManager {
    @Override
    public ApplicationUser getUserByKey(String userKey) {
      return byKey(userKey);
    }

    @Override
    public ApplicationUser getUserByName(String userName) {
      return byName(userName);
    }

    @Override
    public int getTotalUserCount() {
      return crowd.allUsers().size();
    }

    @Override
    public boolean canUpdateUser(ApplicationUser user) {
      return crowd
          .findDirectoryById(user.getDirectoryId())
          .getAllowedOperations()
          .contains(OperationType.UPDATE_USER);
    }

    @Override
    public boolean canRenameUser(ApplicationUser user) {
      return canUpdateUser(user)
          && crowd.findDirectoryById(user.getDirectoryId()).getType() == DirectoryType.INTERNAL;
    }

    @Override
    public Directory getDirectory(Long directoryId) {
      return crowd.findDirectoryById(directoryId);
    }
  }

  final class Builder implements ApplicationUserBuilder {
    final AppUser changed;

    Builder(AppUser base) {
      changed = new AppUser(base.key, base.user);
    }

    @Override
    public ApplicationUserBuilder active(boolean active) {
      changed.active = active;
      return this;
    }

    @Override
    public ApplicationUserBuilder name(String name) {
      changed.name = name;
      return this;
    }

    @Override
    public ApplicationUserBuilder displayName(String displayName) {
      changed.displayName = displayName;
      return this;
    }

    @Override
    public ApplicationUserBuilder emailAddress(String emailAddress) {
      changed.email = emailAddress;
      return this;
    }

    @Override
    public ApplicationUser build() {
      return changed;
    }
  }

  static final class UpdateResult extends UserService.UpdateUserValidationResult {
    final AppUser user;

    UpdateResult(ErrorCollection errors, AppUser user) {
      super(errors);
      this.user = user;
    }
  }

  static final class DeleteResult extends UserService.DeleteUserValidationResult {
    final ApplicationUser user;

    DeleteResult(ErrorCollection errors, ApplicationUser user) {
      super(errors);
      this.user = user;
    }
  }

  static final class CreateResult extends UserService.CreateUserValidationResult {
    final UserService.CreateUserRequest request;

    CreateResult(ErrorCollection errors, UserService.CreateUserRequest request) {
      super(errors);
      this.request = request;
    }
  }

  final class Service implements UserService {
    @Override
    public ApplicationUserBuilder newUserBuilder(ApplicationUser user) {
      return new Builder((AppUser) user);
    }

    @Override
    public UpdateUserValidationResult validateUpdateUser(ApplicationUser user) {
      calls.add("validateUpdateUser");
      ApplicationUser caller = context.getLoggedInUser();
      validatedAs.add(caller == null ? null : caller.getKey());
      AppUser u = (AppUser) user;
      SimpleErrorCollection errors = new SimpleErrorCollection();
      if (caller == null) {
        errors.addErrorMessage("You must be logged in");
        errors.addReason(ErrorCollection.Reason.NOT_LOGGED_IN);
      } else if (!users.canUpdateUser(u)) {
        errors.addErrorMessage("Cannot edit user, the directory is read-only.");
      } else if (updateVetoes.containsKey(u.key)) {
        Object[] veto = updateVetoes.get(u.key);
        errors.addError("active", (String) veto[0]);
        if (veto[1] != null) {
          errors.addReason((ErrorCollection.Reason) veto[1]);
        }
      }
      return new UpdateResult(errors, u);
    }

    @Override
    public void updateUser(UpdateUserValidationResult result) {
      calls.add("updateUser");
      AppUser u = ((UpdateResult) result).user;
      onUpdate.accept(u);
      if (!u.name.equals(u.user.getName())) {
        String key = keysByName.remove(fold(u.user.getName()));
        crowd.rename(u.user.getName(), u.name);
        keysByName.put(fold(u.name), key);
      }
      u.user.active = u.active;
      u.user.displayName = u.displayName;
      u.user.email = u.email;
    }

    @Override
    public DeleteUserValidationResult validateDeleteUser(
        ApplicationUser loggedInUser, ApplicationUser userForDelete) {
      calls.add("validateDeleteUser");
      String veto = deleteVetoes.get(userForDelete.getKey());
      return new DeleteResult(
          veto == null ? new SimpleErrorCollection() : errors(veto, null), userForDelete);
    }

    @Override
    public void removeUser(ApplicationUser loggedInUser, DeleteUserValidationResult result) {
      calls.add("removeUser");
      ApplicationUser u = ((DeleteResult) result).user;
      crowd.removeUserNow(u.getUsername());
      keysByName.remove(fold(u.getUsername()));
    }

    @Override
    public CreateUserValidationResult validateCreateUser(CreateUserRequest request) {
      calls.add("validateCreateUser");
      return new CreateResult(new SimpleErrorCollection(), request);
    }

    @Override
    public ApplicationUser createUser(CreateUserValidationResult result) {
      calls.add("createUser");
      CreateUserRequest r = ((CreateResult) result).request;
      long dir = r.getDirectoryId() == null ? INTERNAL : r.getDirectoryId();
      String key = user(r.getUsername(), dir, true);
      FakeCrowd.FakeUser u = crowd.find(r.getUsername());
      u.displayName = r.getDisplayName();
      u.email = r.getEmailAddress();
      return byKey(key);
    }
  }

  final class Groups implements GroupManager {
    @Override
    public Collection<String> getGroupNamesForUser(ApplicationUser user) {
      return crowd.groupsOf(user.getUsername());
    }

    @Override
    public boolean groupExists(String groupName) {
      return crowd.getGroup(groupName) != null;
    }

    @Override
    public Group getGroup(String groupName) {
      return crowd.getGroup(groupName);
    }

    @Override
    public Collection<ApplicationUser> getUsersInGroup(Group group) {
      List<ApplicationUser> out = new ArrayList<>();
      for (String name : crowd.membersOf(group.getName())) {
        out.add(byName(name));
      }
      return out;
    }
  }

  final class GroupSvc implements GroupService {
    @Override
    public boolean validateDelete(JiraServiceContext ctx, String groupName, String swapGroup) {
      calls.add("validateDelete");
      String veto = groupDeleteVetoes.get(groupName);
      if (veto != null) {
        ((SimpleErrorCollection) ctx.getErrorCollection()).addErrorMessage(veto);
        return false;
      }
      return true;
    }

    @Override
    public boolean delete(JiraServiceContext ctx, String groupName, String swapGroup) {
      calls.add("deleteGroup");
      return crowd.removeGroup(new ImmutableGroup(groupName));
    }
  }

  final class Permissions implements GlobalPermissionManager {
    @Override
    public Collection<Group> getGroupsWithPermission(GlobalPermissionKey permissionKey) {
      Set<String> names =
          permissionKey == GlobalPermissionKey.SYSTEM_ADMIN ? sysadminGroups : administerGroups;
      List<Group> out = new ArrayList<>();
      for (String n : names) {
        out.add(new ImmutableGroup(n));
      }
      return out;
    }

    @Override
    public boolean hasPermission(GlobalPermissionKey permissionKey, ApplicationUser user) {
      throw new UnsupportedOperationException("not used");
    }
  }

  /**
   * Jira's billable-user cache: counts are taken once and served until {@link #flush}, the way
   * Jira's component caches them, so a test sees a stale count unless the host flushes.
   */
  final class Licences implements LicenseCountService {
    Map<ApplicationKey, Integer> cached;
    int flushes;
    RuntimeException failFlush;

    int count(Role role) {
      if (cached == null) {
        cached = new HashMap<>();
        for (Role r : roles) {
          cached.put(r.key, activeSeatsUsed(r));
        }
      }
      return cached.getOrDefault(role.key, 0);
    }

    @Override
    public int totalBillableUsers() {
      Set<String> holders = new TreeSet<>();
      for (Role r : roles) {
        for (String g : r.groups) {
          for (String m : crowd.membersOf(g)) {
            if (crowd.find(m).isActive()) {
              holders.add(fold(m));
            }
          }
        }
      }
      return holders.size();
    }

    @Override
    public void flush() {
      if (failFlush != null) {
        throw failFlush;
      }
      flushes++;
      cached = null;
    }
  }

  final class Roles implements ApplicationRoleManager {
    @Override
    public Set<ApplicationRole> getRoles() {
      return new LinkedHashSet<>(roles);
    }

    private Role role(ApplicationKey key) {
      for (Role r : roles) {
        if (r.key.equals(key)) {
          return r;
        }
      }
      throw new IllegalArgumentException("no role " + key);
    }

    @Override
    public int getUserCount(ApplicationKey key) {
      return licences.count(role(key));
    }

    @Override
    public boolean hasSeatsAvailable(ApplicationKey key, int seatCount) {
      Role r = role(key);
      return r.seats < 0 || licences.count(r) + seatCount <= r.seats;
    }
  }

  final class Logins implements LoginService {
    @Override
    public void resetFailedLoginCount(ApplicationUser user) {
      calls.add("resetFailedLoginCount " + user.getUsername());
    }

    @Override
    public LoginInfo getLoginInfo(String userName) {
      long[] l = logins.get(fold(userName));
      if (byName(userName) == null) {
        return null;
      }
      return new LoginInfo() {
        @Override
        public Long getLastLoginTime() {
          return l == null ? null : l[0];
        }

        @Override
        public Long getPreviousLoginTime() {
          return null;
        }

        @Override
        public Long getLastFailedLoginTime() {
          return null;
        }

        @Override
        public Long getLoginCount() {
          return l == null ? null : l[1];
        }

        @Override
        public Long getCurrentFailedLoginCount() {
          return null;
        }

        @Override
        public Long getTotalFailedLoginCount() {
          return null;
        }

        @Override
        public boolean isElevatedSecurityCheckRequired() {
          return false;
        }
      };
    }
  }

  final class Search implements SearchService {
    final List<String> queries = new ArrayList<>();

    @Override
    public ParseResult parseQuery(ApplicationUser searcher, String query) {
      queries.add(query);
      return new ParseResult(new FakeQuery(query), null);
    }

    @Override
    public SearchResults<Issue> search(
        ApplicationUser searcher, Query query, PagerFilter<?> pager) {
      calls.add("search");
      Matcher m =
          Pattern.compile("assignee = \"(.*)\" AND resolution IS EMPTY ORDER BY key ASC")
              .matcher(((FakeQuery) query).jql);
      if (!m.matches()) {
        throw new IllegalArgumentException("unexpected JQL " + ((FakeQuery) query).jql);
      }
      AppUser assignee = byName(m.group(1).replace("\\\"", "\"").replace("\\\\", "\\"));
      List<Issue> hits = new ArrayList<>();
      for (FakeIssue i : issues.values()) {
        if (!i.resolved && assignee != null && assignee.key.equals(i.assignee)) {
          hits.add(i);
        }
      }
      hits.sort((a, b) -> a.getKey().compareTo(b.getKey()));
      int from = Math.min(hits.size(), pager.getStart());
      int to = Math.min(hits.size(), from + pager.getMax());
      return new SearchResults<>(hits.subList(from, to), hits.size(), pager.getMax(), from);
    }
  }

  static final class Assign extends IssueService.AssignValidationResult {
    final Long issueId;
    final String assigneeKey;

    Assign(ErrorCollection errors, Long issueId, String assigneeKey) {
      super(errors);
      this.issueId = issueId;
      this.assigneeKey = assigneeKey;
    }
  }

  final class Issues implements IssueService {
    @Override
    public AssignValidationResult validateAssign(
        ApplicationUser user, Long issueId, String assignee) {
      calls.add("validateAssign");
      if (assignee == null) {
        return new Assign(new SimpleErrorCollection(), issueId, null);
      }
      AppUser target = byName(assignee);
      if (target == null || !target.isActive()) {
        return new Assign(
            errors("User '" + assignee + "' cannot be assigned issues.", null), issueId, null);
      }
      return new Assign(new SimpleErrorCollection(), issueId, target.key);
    }

    @Override
    public IssueResult assign(ApplicationUser user, AssignValidationResult assignResult) {
      calls.add("assign");
      Assign a = (Assign) assignResult;
      issues.get(a.issueId).assignee = a.assigneeKey;
      return new IssueResult(new SimpleErrorCollection());
    }
  }
}
