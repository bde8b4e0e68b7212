package io.seatwarden.confluence;

import com.atlassian.confluence.license.LicenseService;
import com.atlassian.confluence.security.SpacePermissionManager;
import com.atlassian.confluence.security.login.LoginManager;
import com.atlassian.confluence.user.UserAccessor;
import com.atlassian.confluence.util.UserChecker;
import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import java.util.Objects;

/**
 * The Confluence components {@link ConfluenceHost} uses, as the plugin's component wiring hands
 * them over.
 *
 * @param userAccessor users, groups, memberships, activation; every write permission-checked
 * @param crowdService every user and group, paged; the directory user behind an account
 * @param directoryService the user directories, in Confluence's order
 * @param loginManager last successful login
 * @param userChecker licence-consuming users and whether one more fits
 * @param licenseService the seat limit
 * @param spacePermissions global permissions: who may use Confluence, who administers it
 */
public record ConfluenceServices(
    UserAccessor userAccessor,
    CrowdService crowdService,
    CrowdDirectoryService directoryService,
    LoginManager loginManager,
    UserChecker userChecker,
    LicenseService licenseService,
    SpacePermissionManager spacePermissions) {

  /** Every component is required. */
  public ConfluenceServices {
    Objects.requireNonNull(userAccessor, "userAccessor");
    Objects.requireNonNull(crowdService, "crowdService");
    Objects.requireNonNull(directoryService, "directoryService");
    Objects.requireNonNull(loginManager, "loginManager");
    Objects.requireNonNull(userChecker, "userChecker");
    Objects.requireNonNull(licenseService, "licenseService");
    Objects.requireNonNull(spacePermissions, "spacePermissions");
  }
}
