package io.seatwarden.plugin.jira;

import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.jira.application.ApplicationAuthorizationService;
import com.atlassian.jira.application.ApplicationRoleManager;
import com.atlassian.jira.bc.group.GroupService;
import com.atlassian.jira.bc.issue.IssueService;
import com.atlassian.jira.bc.issue.search.SearchService;
import com.atlassian.jira.bc.security.login.LoginService;
import com.atlassian.jira.bc.user.UserService;
import com.atlassian.jira.license.LicenseCountService;
import com.atlassian.jira.security.GlobalPermissionManager;
import com.atlassian.jira.security.JiraAuthenticationContext;
import com.atlassian.jira.security.groups.GroupManager;
import com.atlassian.jira.user.util.UserManager;
import io.seatwarden.bridge.Host;
import io.seatwarden.jira.JiraActingUser;
import io.seatwarden.jira.JiraHost;
import io.seatwarden.jira.JiraServices;
import io.seatwarden.login.CrowdLoginAccounts;
import io.seatwarden.login.LoginAccounts;
import io.seatwarden.plugin.OptionalPackages;
import io.seatwarden.plugin.ProductBinding;
import io.seatwarden.plugin.Services;
import io.seatwarden.product.ActingUser;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Jira's {@link ProductBinding}: {@link JiraHost} over Jira's components, acting through {@link
 * JiraAuthenticationContext}, login checks through the embedded Crowd, licences through {@link
 * JiraLoginProduct} (application access) and the failed-login count through {@link LoginService}.
 * Loaded by name, in Jira only.
 */
public final class JiraBindingFactory implements ProductBinding.Factory {

  /** Loaded reflectively by {@link io.seatwarden.plugin.ProductBindings}. */
  public JiraBindingFactory() {}

  @Override
  public ProductBinding create(Services services, Supplier<String> automationAccount) {
    // Imported optionally (undocumented Crowd packages, Jira-only code): fail the start precisely
    // if this Jira does not export them.
    OptionalPackages.require(
        JiraBindingFactory.class.getClassLoader(),
        "to page Jira's users and groups (CrowdService.search) and to create groups",
        "com.atlassian.crowd.search.EntityDescriptor",
        "com.atlassian.crowd.search.builder.QueryBuilder",
        "com.atlassian.crowd.search.query.entity.EntityQuery",
        "com.atlassian.crowd.embedded.impl.ImmutableGroup",
        "com.atlassian.crowd.exception.embedded.InvalidGroupException");
    UserManager userManager = services.get(UserManager.class);
    CrowdService crowd = services.get(CrowdService.class);
    LoginService loginService = services.get(LoginService.class);
    JiraServices jira =
        new JiraServices(
            userManager,
            services.get(UserService.class),
            crowd,
            services.get(CrowdDirectoryService.class),
            services.get(GroupManager.class),
            services.get(GroupService.class),
            services.get(GlobalPermissionManager.class),
            services.get(ApplicationRoleManager.class),
            loginService,
            services.get(SearchService.class),
            services.get(IssueService.class),
            services.get(LicenseCountService.class));
    JiraActingUser acting =
        new JiraActingUser(
            services.get(JiraAuthenticationContext.class), userManager, automationAccount);
    JiraHost host = new JiraHost(jira, acting, Clock.systemUTC());
    LoginAccounts accounts =
        new CrowdLoginAccounts(
            crowd,
            services.get(CrowdDirectoryService.class),
            host,
            new JiraLoginProduct(
                userManager,
                services.get(ApplicationRoleManager.class),
                services.get(ApplicationAuthorizationService.class),
                loginService));
    return new Binding(host, acting, accounts);
  }

  private record Binding(Host host, ActingUser actingUser, LoginAccounts loginAccounts)
      implements ProductBinding {
    @Override
    public String product() {
      return "jira";
    }
  }
}
