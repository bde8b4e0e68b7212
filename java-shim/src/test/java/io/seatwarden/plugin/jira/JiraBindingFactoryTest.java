package io.seatwarden.plugin.jira;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.application.api.ApplicationKey;
import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.jira.application.ApplicationAuthorizationService;
import com.atlassian.jira.application.ApplicationRole;
import com.atlassian.jira.application.ApplicationRoleManager;
import com.atlassian.jira.bc.security.login.LoginService;
import com.atlassian.jira.security.JiraAuthenticationContext;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.user.util.UserManager;
import io.seatwarden.bridge.LoginCheck;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Operation;
import io.seatwarden.jira.JiraActingUser;
import io.seatwarden.jira.JiraHost;
import io.seatwarden.login.CrowdLoginAccounts;
import io.seatwarden.login.LoginAccounts;
import io.seatwarden.login.LoginProductFixture;
import io.seatwarden.login.Reactivation;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.plugin.ProductBinding;
import io.seatwarden.plugin.ProductBindings;
import io.seatwarden.plugin.ProxyServices;
import io.seatwarden.store.FakeClusterLockService;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JiraBindingFactoryTest {

  private final LoginProductFixture jira = new LoginProductFixture();
  private final ApplicationRole software = role("jira-software");
  private final ApplicationRole servicedesk = role("jira-servicedesk");

  /** Jira's components, as the factory asks for them, over the fixture. */
  private ProxyServices services() {
    return new ProxyServices(
        (type, method, args) -> {
          if (type == CrowdService.class) {
            try {
              Object value = jira.crowd(method, args);
              return value == null ? ProxyServices.NULL : value;
            } catch (Exception e) {
              throw ProxyServices.raise(e);
            }
          }
          if (type == CrowdDirectoryService.class && method.equals("findDirectoryById")) {
            return jira.directory();
          }
          if (type == UserManager.class && method.equals("getUserByName")) {
            return jira.exists((String) args[0]) ? user((String) args[0]) : ProxyServices.NULL;
          }
          if (type == ApplicationRoleManager.class && method.equals("getRoles")) {
            return Set.of(software, servicedesk);
          }
          if (type == ApplicationAuthorizationService.class && method.equals("canUseApplication")) {
            // Only Jira Software grants this user access, and only while licensed.
            ApplicationUser user = (ApplicationUser) args[0];
            return args[1].equals(ApplicationKey.valueOf("jira-software"))
                && jira.isLicensed(user.getUsername());
          }
          if (type == LoginService.class && method.equals("resetFailedLoginCount")) {
            jira.reset(((ApplicationUser) args[0]).getUsername());
            return Boolean.TRUE; // void: any non-null value
          }
          return null;
        });
  }

  @Test
  void buildsJirasHostActingUserAndLoginAccountsFromItsServices() {
    ProxyServices services = services();
    ProductBinding binding = new JiraBindingFactory().create(services, () -> "admin-key");
    assertEquals("jira", binding.product());
    assertInstanceOf(JiraHost.class, binding.host());
    assertInstanceOf(JiraActingUser.class, binding.actingUser());
    assertInstanceOf(CrowdLoginAccounts.class, binding.loginAccounts());
    assertTrue(services.asked.contains(JiraAuthenticationContext.class));
    assertTrue(services.asked.contains(ApplicationAuthorizationService.class));
  }

  @Test
  void aUserWithoutApplicationAccessIsUnlicensedAndOneWithAccessIsActive() {
    jira.user("amy", "pw", true, true);
    jira.user("ben", "pw", true, false);
    jira.user("cat", "pw", false, true);
    LoginAccounts accounts = new JiraBindingFactory().create(services(), () -> "k").loginAccounts();
    assertEquals(LoginAccounts.State.ACTIVE, accounts.account("amy").state());
    assertEquals(LoginAccounts.State.UNLICENSED, accounts.account("BEN").state());
    assertEquals(LoginAccounts.State.INACTIVE, accounts.account("cat").state());
    assertEquals(
        LoginCheck.InactiveRefusal.BEFORE_CREDENTIAL, accounts.account("cat").refusal());
    assertEquals(LoginAccounts.State.UNKNOWN, accounts.account("zed").state());
  }

  /**
   * End to end through the real factory: the licence groups of a user were taken away; they log in
   * with the right password; the filter (engine fake deciding like the engine) verifies through
   * Jira's own Crowd, the engine gives the groups back, and Jira's login then proceeds. Three
   * failed logins before (CAPTCHA due) do not stop it, and the count is reset.
   */
  @Test
  void aUserWhoseLicenceGroupsWereRemovedGetsThemBackAtLoginAndJirasLoginProceeds() {
    jira.user("dee", "right", true, false);
    for (int i = 0; i < 3; i++) {
      assertFalse(jira.productLogin("dee", "typo"));
    }
    assertEquals(3, jira.failedLogins.get("dee"), "Jira now asks for a CAPTCHA");
    ProductBinding binding = new JiraBindingFactory().create(services(), () -> "k");
    FakeActingUser acting = new FakeActingUser();
    FakeSeatwarden engine = new FakeSeatwarden(acting);
    engine.onLoginAnswer =
        (user, at) -> {
          jira.licensed.add(user); // the licence policy adds the user back to jira-software-users
          Operation add = new Operation.AddToGroup("key-" + user, "jira-software-users");
          return new LoginOutcome("key-" + user, List.of(add), List.of(), List.of());
        };
    Reactivation reactivation =
        new Reactivation(
            engine, binding.loginAccounts(), acting, new FakeClusterLockService(), () -> 1L);

    assertEquals(Reactivation.Result.NOT_VERIFIED, reactivation.attempt("dee", "wrong"));
    assertFalse(jira.isLicensed("dee"));
    assertFalse(jira.productLogin("dee", "wrong"));

    FakeSeatwarden.class.cast(engine).ended.clear(); // past the back-off
    assertEquals(Reactivation.Result.REACTIVATED, reactivation.attempt("dee", "right"));
    assertEquals(List.of(LoginCheck.Verification.LICENCE, LoginCheck.Verification.LICENCE),
        engine.verifications);
    assertEquals(List.of("dee"), jira.resets, "the failed-login count was reset");
    assertTrue(jira.productLogin("dee", "right"), "Jira's own login proceeds");
  }

  /**
   * A deactivated user of a cached LDAP connector for whom Jira demands a CAPTCHA (three failed
   * logins): Seatwarden's own back-off is the brake, Crowd's refusal of the still-inactive account
   * proves the password, nothing is activated before, and the failed-login count is reset.
   */
  @Test
  void aCaptchaFlaggedDeactivatedUserIsStillHandledByTheBackOff() {
    jira.directoryType = com.atlassian.crowd.embedded.api.DirectoryType.CONNECTOR;
    jira.user("eli", "right", false, true);
    for (int i = 0; i < 3; i++) {
      assertFalse(jira.productLogin("eli", "typo"));
    }
    ProductBinding binding = new JiraBindingFactory().create(services(), () -> "k");
    FakeActingUser acting = new FakeActingUser();
    FakeSeatwarden engine = new FakeSeatwarden(acting);
    engine.onLoginAnswer =
        (user, at) -> {
          jira.activate(user);
          Operation op = new Operation.Activate("key-" + user);
          return new LoginOutcome("key-" + user, List.of(op), List.of(), List.of());
        };
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1L);
    Reactivation reactivation =
        new Reactivation(
            engine, binding.loginAccounts(), acting, new FakeClusterLockService(), now::get);
    assertEquals(Reactivation.Result.NOT_VERIFIED, reactivation.attempt("eli", "guess"));
    assertEquals(
        Reactivation.Result.SKIPPED,
        reactivation.attempt("eli", "right"),
        "Seatwarden's back-off after a wrong password, on every node");
    assertFalse(jira.isActive("eli"));
    now.addAndGet(FakeSeatwarden.BACKOFF_MILLIS);
    assertEquals(Reactivation.Result.REACTIVATED, reactivation.attempt("eli", "right"));
    assertEquals(List.of(LoginCheck.Verification.PROOF, LoginCheck.Verification.PROOF),
        engine.verifications);
    assertTrue(jira.isActive("eli"));
    assertEquals(List.of("eli"), jira.resets);
    assertTrue(jira.productLogin("eli", "right"), "Jira's own login proceeds");
  }

  @Test
  void isTheFactoryProductBindingsLoadsForJira() {
    ProductBindings.Candidate jira = ProductBindings.SUPPORTED.get(0);
    assertEquals("jira", jira.product());
    assertEquals(JiraBindingFactory.class.getName(), jira.factoryClass());
    assertFalse(jira.markerClass().isEmpty());
  }

  private static ApplicationRole role(String key) {
    return (ApplicationRole)
        Proxy.newProxyInstance(
            JiraBindingFactoryTest.class.getClassLoader(),
            new Class<?>[] {ApplicationRole.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getKey" -> ApplicationKey.valueOf(key);
                  case "hashCode" -> key.hashCode();
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }

  private static ApplicationUser user(String name) {
    return (ApplicationUser)
        Proxy.newProxyInstance(
            JiraBindingFactoryTest.class.getClassLoader(),
            new Class<?>[] {ApplicationUser.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getUsername", "getName" -> name.toLowerCase(java.util.Locale.ROOT);
                  case "getKey" -> "key-" + name;
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
