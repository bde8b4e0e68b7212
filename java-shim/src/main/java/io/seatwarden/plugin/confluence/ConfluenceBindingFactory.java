package io.seatwarden.plugin.confluence;

import com.atlassian.confluence.license.LicenseService;
import com.atlassian.confluence.security.SpacePermissionManager;
import com.atlassian.confluence.security.access.ConfluenceAccessManager;
import com.atlassian.confluence.security.login.LoginManager;
import com.atlassian.confluence.user.UserAccessor;
import com.atlassian.confluence.util.UserChecker;
import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import io.seatwarden.bridge.Host;
import io.seatwarden.confluence.ConfluenceActingUser;
import io.seatwarden.confluence.ConfluenceHost;
import io.seatwarden.confluence.ConfluenceServices;
import io.seatwarden.login.CrowdLoginAccounts;
import io.seatwarden.login.LoginAccounts;
import io.seatwarden.plugin.ProductBinding;
import io.seatwarden.plugin.Services;
import io.seatwarden.product.ActingUser;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * Confluence's {@link ProductBinding}: {@link ConfluenceHost} over Confluence's components,
 * acting through {@code AuthenticatedUserThreadLocal}, login checks through the embedded Crowd,
 * licences ("can use") through {@link ConfluenceLoginProduct} and the failed-login count through
 * {@link LoginManager}. Loaded by name, in Confluence only.
 */
public final class ConfluenceBindingFactory implements ProductBinding.Factory {

  /** Loaded reflectively by {@link io.seatwarden.plugin.ProductBindings}. */
  public ConfluenceBindingFactory() {}

  @Override
  public ProductBinding create(Services services, Supplier<String> automationAccount) {
    UserAccessor userAccessor = services.get(UserAccessor.class);
    CrowdService crowd = services.get(CrowdService.class);
    LoginManager loginManager = services.get(LoginManager.class);
    ConfluenceServices confluence =
        new ConfluenceServices(
            userAccessor,
            crowd,
            services.get(CrowdDirectoryService.class),
            loginManager,
            services.get(UserChecker.class),
            services.get(LicenseService.class),
            services.get(SpacePermissionManager.class));
    ConfluenceActingUser acting = new ConfluenceActingUser(userAccessor, automationAccount);
    ConfluenceHost host = new ConfluenceHost(confluence, acting, Clock.systemUTC());
    LoginAccounts accounts =
        new CrowdLoginAccounts(
            crowd,
            services.get(CrowdDirectoryService.class),
            host,
            new ConfluenceLoginProduct(
                userAccessor, services.get(ConfluenceAccessManager.class), loginManager));
    return new Binding(host, acting, accounts);
  }

  private record Binding(Host host, ActingUser actingUser, LoginAccounts loginAccounts)
      implements ProductBinding {
    @Override
    public String product() {
      return "confluence";
    }
  }
}
