package io.seatwarden.plugin.jira;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.jira.bc.security.login.LoginInfo;
import com.atlassian.jira.bc.security.login.LoginService;
import com.atlassian.jira.security.JiraAuthenticationContext;
import io.seatwarden.jira.JiraActingUser;
import io.seatwarden.jira.JiraHost;
import io.seatwarden.login.CrowdLoginAccounts;
import io.seatwarden.plugin.ProductBinding;
import io.seatwarden.plugin.ProductBindings;
import io.seatwarden.plugin.ProxyServices;
import org.junit.jupiter.api.Test;

class JiraBindingFactoryTest {

  @Test
  void buildsJirasHostActingUserAndLoginAccountsFromItsServices() {
    ProxyServices services =
        new ProxyServices(
            (type, method) -> {
              if (type == LoginService.class && method.equals("getLoginInfo")) {
                return ProxyServices.answering(LoginInfo.class, "isElevatedSecurityCheckRequired", true);
              }
              return null;
            });
    ProductBinding binding = new JiraBindingFactory().create(services, () -> "admin-key");
    assertEquals("jira", binding.product());
    assertInstanceOf(JiraHost.class, binding.host());
    assertInstanceOf(JiraActingUser.class, binding.actingUser());
    assertInstanceOf(CrowdLoginAccounts.class, binding.loginAccounts());
    assertTrue(binding.loginAccounts().elevatedSecurityRequired("someone"));
    assertTrue(services.asked.contains(JiraAuthenticationContext.class));
  }

  @Test
  void isTheFactoryProductBindingsLoadsForJira() {
    ProductBindings.Candidate jira = ProductBindings.SUPPORTED.get(0);
    assertEquals("jira", jira.product());
    assertEquals(JiraBindingFactory.class.getName(), jira.factoryClass());
    assertFalse(jira.markerClass().isEmpty());
  }
}
