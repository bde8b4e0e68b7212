package io.seatwarden.plugin.confluence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.confluence.security.access.AccessStatus;
import com.atlassian.confluence.security.access.ConfluenceAccessManager;
import com.atlassian.confluence.security.login.LoginManager;
import com.atlassian.confluence.user.ConfluenceUser;
import com.atlassian.confluence.user.UserAccessor;
import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.user.User;
import io.seatwarden.bridge.LoginCheck;
import io.seatwarden.bridge.LoginOutcome;
import io.seatwarden.bridge.Operation;
import io.seatwarden.confluence.ConfluenceActingUser;
import io.seatwarden.confluence.ConfluenceHost;
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
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ConfluenceBindingFactoryTest {

  private final LoginProductFixture confluence = new LoginProductFixture();

  /** Confluence's components, as the factory asks for them, over the fixture. */
  private ProxyServices services() {
    return new ProxyServices(
        (type, method, args) -> {
          if (type == CrowdService.class) {
            try {
              Object value = confluence.crowd(method, args);
              return value == null ? ProxyServices.NULL : value;
            } catch (Exception e) {
              throw ProxyServices.raise(e);
            }
          }
          if (type == CrowdDirectoryService.class && method.equals("findDirectoryById")) {
            return LoginProductFixture.internalDirectory();
          }
          if (type == UserAccessor.class && method.equals("getUserByName")) {
            return confluence.exists((String) args[0]) ? user((String) args[0]) : ProxyServices.NULL;
          }
          if (type == ConfluenceAccessManager.class && method.equals("getUserAccessStatus")) {
            boolean can = confluence.isLicensed(((User) args[0]).getName());
            return ProxyServices.answering(AccessStatus.class, "canUseConfluence", can);
          }
          if (type == LoginManager.class && method.equals("resetFailedLoginCount")) {
            confluence.reset(((User) args[0]).getName());
            return Boolean.TRUE; // void: any non-null value
          }
          return null;
        });
  }

  @Test
  void buildsConfluencesHostActingUserAndLoginAccountsFromItsServices() {
    ProxyServices services = services();
    ProductBinding binding = new ConfluenceBindingFactory().create(services, () -> "admin-key");
    assertEquals("confluence", binding.product());
    assertInstanceOf(ConfluenceHost.class, binding.host());
    assertInstanceOf(ConfluenceActingUser.class, binding.actingUser());
    assertInstanceOf(CrowdLoginAccounts.class, binding.loginAccounts());
    assertTrue(services.asked.contains(ConfluenceAccessManager.class));
  }

  @Test
  void aUserWithoutCanUseIsUnlicensed() {
    confluence.user("amy", "pw", true, true);
    confluence.user("ben", "pw", true, false);
    LoginAccounts accounts =
        new ConfluenceBindingFactory().create(services(), () -> "k").loginAccounts();
    assertEquals(LoginAccounts.State.ACTIVE, accounts.account("amy").state());
    assertEquals(LoginAccounts.State.UNLICENSED, accounts.account("Ben").state());
  }

  /** As in Jira: licence groups back at login through the real factory; the login proceeds. */
  @Test
  void aUserWhoseLicenceGroupsWereRemovedGetsThemBackAtLoginAndConfluencesLoginProceeds() {
    confluence.user("dee", "right", true, false);
    for (int i = 0; i < 3; i++) {
      assertFalse(confluence.productLogin("dee", "typo"));
    }
    ProductBinding binding = new ConfluenceBindingFactory().create(services(), () -> "k");
    FakeActingUser acting = new FakeActingUser();
    FakeSeatwarden engine = new FakeSeatwarden(acting);
    engine.onLoginAnswer =
        (user, at) -> {
          confluence.licensed.add(user);
          Operation add = new Operation.AddToGroup("key-" + user, "confluence-users");
          return new LoginOutcome("key-" + user, List.of(add), List.of(), List.of());
        };
    Reactivation reactivation =
        new Reactivation(
            engine, binding.loginAccounts(), acting, new FakeClusterLockService(), () -> 1L);
    assertEquals(Reactivation.Result.REACTIVATED, reactivation.attempt("dee", "right"));
    assertEquals(List.of(LoginCheck.Verification.LICENCE), engine.verifications);
    assertEquals(List.of("dee"), confluence.resets);
    assertTrue(confluence.productLogin("dee", "right"));
  }

  @Test
  void isTheFactoryProductBindingsLoadsForConfluence() {
    ProductBindings.Candidate confluence = ProductBindings.SUPPORTED.get(1);
    assertEquals("confluence", confluence.product());
    assertEquals(ConfluenceBindingFactory.class.getName(), confluence.factoryClass());
  }

  private static ConfluenceUser user(String name) {
    return (ConfluenceUser)
        Proxy.newProxyInstance(
            ConfluenceBindingFactoryTest.class.getClassLoader(),
            new Class<?>[] {ConfluenceUser.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getName" -> name.toLowerCase(Locale.ROOT);
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
