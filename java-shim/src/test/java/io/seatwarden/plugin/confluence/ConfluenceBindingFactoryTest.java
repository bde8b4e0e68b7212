package io.seatwarden.plugin.confluence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.atlassian.confluence.security.login.LoginInfo;
import com.atlassian.confluence.security.login.LoginManager;
import io.seatwarden.confluence.ConfluenceActingUser;
import io.seatwarden.confluence.ConfluenceHost;
import io.seatwarden.login.CrowdLoginAccounts;
import io.seatwarden.plugin.ProductBinding;
import io.seatwarden.plugin.ProductBindings;
import io.seatwarden.plugin.ProxyServices;
import org.junit.jupiter.api.Test;

class ConfluenceBindingFactoryTest {

  @Test
  void buildsConfluencesHostActingUserAndLoginAccountsFromItsServices() {
    ProxyServices services =
        new ProxyServices(
            (type, method) -> {
              if (type == LoginManager.class && method.equals("getLoginInfo")) {
                return ProxyServices.answering(LoginInfo.class, "requiresElevatedSecurityCheck", false);
              }
              return null;
            });
    ProductBinding binding = new ConfluenceBindingFactory().create(services, () -> "admin-key");
    assertEquals("confluence", binding.product());
    assertInstanceOf(ConfluenceHost.class, binding.host());
    assertInstanceOf(ConfluenceActingUser.class, binding.actingUser());
    assertInstanceOf(CrowdLoginAccounts.class, binding.loginAccounts());
    assertFalse(binding.loginAccounts().elevatedSecurityRequired("someone"));
  }

  @Test
  void isTheFactoryProductBindingsLoadsForConfluence() {
    ProductBindings.Candidate confluence = ProductBindings.SUPPORTED.get(1);
    assertEquals("confluence", confluence.product());
    assertEquals(ConfluenceBindingFactory.class.getName(), confluence.factoryClass());
  }
}
