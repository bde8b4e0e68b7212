package io.seatwarden.plugin.confluence;

import com.atlassian.confluence.security.access.ConfluenceAccessManager;
import com.atlassian.confluence.security.login.LoginManager;
import com.atlassian.confluence.user.ConfluenceUser;
import com.atlassian.confluence.user.UserAccessor;
import io.seatwarden.login.LoginProduct;
import java.util.Objects;

/**
 * Confluence's licences and failed-login count for the reactivation filter.
 *
 * <p>Licensed: {@code ConfluenceAccessManager.getUserAccessStatus(user).canUseConfluence()}, the
 * check Confluence's javadoc names for "can this user use Confluence in general" (the global
 * "can use" permission the licence groups carry). The failed-login count is reset through {@code
 * LoginManager.resetFailedLoginCount}. Sources in {@code docs/atlassian-api.md}.
 */
public final class ConfluenceLoginProduct implements LoginProduct {

  private final UserAccessor users;
  private final ConfluenceAccessManager access;
  private final LoginManager logins;

  /** Over Confluence's components. */
  public ConfluenceLoginProduct(
      UserAccessor users, ConfluenceAccessManager access, LoginManager logins) {
    this.users = Objects.requireNonNull(users, "users");
    this.access = Objects.requireNonNull(access, "access");
    this.logins = Objects.requireNonNull(logins, "logins");
  }

  @Override
  public boolean licensed(String username) {
    ConfluenceUser user = users.getUserByName(username);
    return user == null || access.getUserAccessStatus(user).canUseConfluence();
  }

  @Override
  public void resetFailedLoginCount(String username) {
    ConfluenceUser user = users.getUserByName(username);
    if (user != null) {
      logins.resetFailedLoginCount(user);
    }
  }
}
