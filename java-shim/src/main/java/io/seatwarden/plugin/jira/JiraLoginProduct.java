package io.seatwarden.plugin.jira;

import com.atlassian.jira.application.ApplicationAuthorizationService;
import com.atlassian.jira.application.ApplicationRole;
import com.atlassian.jira.application.ApplicationRoleManager;
import com.atlassian.jira.bc.security.login.LoginService;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.user.util.UserManager;
import io.seatwarden.login.LoginProduct;
import java.util.Objects;

/**
 * Jira's licences and failed-login count for the reactivation filter.
 *
 * <p>Licensed: access to at least one of Jira's applications ({@code
 * ApplicationAuthorizationService.canUseApplication} for each role {@code ApplicationRoleManager}
 * knows). A user without any is refused by Jira's login after the password ("You do not have a
 * permission to log in"), which is exactly the user whose licence groups Seatwarden took back.
 * The failed-login count is reset through {@code LoginService.resetFailedLoginCount}. Sources in
 * {@code docs/atlassian-api.md}.
 */
public final class JiraLoginProduct implements LoginProduct {

  private final UserManager users;
  private final ApplicationRoleManager roles;
  private final ApplicationAuthorizationService access;
  private final LoginService logins;

  /** Over Jira's components. */
  public JiraLoginProduct(
      UserManager users,
      ApplicationRoleManager roles,
      ApplicationAuthorizationService access,
      LoginService logins) {
    this.users = Objects.requireNonNull(users, "users");
    this.roles = Objects.requireNonNull(roles, "roles");
    this.access = Objects.requireNonNull(access, "access");
    this.logins = Objects.requireNonNull(logins, "logins");
  }

  @Override
  public boolean licensed(String username) {
    ApplicationUser user = users.getUserByName(username);
    if (user == null) {
      return true;
    }
    for (ApplicationRole role : roles.getRoles()) {
      if (access.canUseApplication(user, role.getKey())) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void resetFailedLoginCount(String username) {
    ApplicationUser user = users.getUserByName(username);
    if (user != null) {
      logins.resetFailedLoginCount(user);
    }
  }
}
