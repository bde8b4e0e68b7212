package io.seatwarden.jira;

import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.jira.application.ApplicationRoleManager;
import com.atlassian.jira.bc.group.GroupService;
import com.atlassian.jira.bc.issue.IssueService;
import com.atlassian.jira.bc.issue.search.SearchService;
import com.atlassian.jira.bc.security.login.LoginService;
import com.atlassian.jira.bc.user.UserService;
import com.atlassian.jira.license.LicenseCountService;
import com.atlassian.jira.security.GlobalPermissionManager;
import com.atlassian.jira.security.groups.GroupManager;
import com.atlassian.jira.user.util.UserManager;
import java.util.Objects;

/**
 * The Jira components {@link JiraHost} uses, as the plugin's component wiring hands them over.
 *
 * @param userManager user lookups and Jira's per-user "can update / rename" checks
 * @param userService validate-then-act user writes
 * @param crowdService every user and group, memberships, group creation
 * @param directoryService the user directories, in Jira's order
 * @param groupManager memberships per user, group members, group lookups
 * @param groupService group deletion with Jira's clean-up
 * @param globalPermissions which groups administer Jira
 * @param applicationRoles licences, their groups and seats
 * @param loginService last login and login count
 * @param searchService finding a user's open issues
 * @param issueService reassigning them
 * @param licenseCounts Jira's cached billable-user count, flushed after licence-changing writes
 */
public record JiraServices(
    UserManager userManager,
    UserService userService,
    CrowdService crowdService,
    CrowdDirectoryService directoryService,
    GroupManager groupManager,
    GroupService groupService,
    GlobalPermissionManager globalPermissions,
    ApplicationRoleManager applicationRoles,
    LoginService loginService,
    SearchService searchService,
    IssueService issueService,
    LicenseCountService licenseCounts) {

  /** Every component is required. */
  public JiraServices {
    Objects.requireNonNull(userManager, "userManager");
    Objects.requireNonNull(userService, "userService");
    Objects.requireNonNull(crowdService, "crowdService");
    Objects.requireNonNull(directoryService, "directoryService");
    Objects.requireNonNull(groupManager, "groupManager");
    Objects.requireNonNull(groupService, "groupService");
    Objects.requireNonNull(globalPermissions, "globalPermissions");
    Objects.requireNonNull(applicationRoles, "applicationRoles");
    Objects.requireNonNull(loginService, "loginService");
    Objects.requireNonNull(searchService, "searchService");
    Objects.requireNonNull(issueService, "issueService");
    Objects.requireNonNull(licenseCounts, "licenseCounts");
  }
}
