package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.atlassian.event.api.EventListener;
import com.atlassian.jira.user.ApplicationUser;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoginListenersTest {

  private final FakeActingUser acting = new FakeActingUser();
  private final FakeSeatwarden engine = new FakeSeatwarden(acting);
  private final java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(42L);
  private final LoginHook hook = new LoginHook(engine, acting, now::get);

  @Test
  void jiraLoginEventReachesTheEngineAsTheAutomationAccount() {
    Object listener = LoginListeners.forProduct("jira", hook);
    JiraLoginListener jira = assertInstanceOf(JiraLoginListener.class, listener);
    jira.onLogin(new com.atlassian.jira.event.user.LoginEvent(user("alice")));
    jira.onLogin(new com.atlassian.jira.event.user.LoginEvent(null));
    assertEquals(List.of("alice"), engine.logins);
    assertEquals(List.of(true), engine.asAdmin);
  }

  @Test
  void confluenceLoginEventReachesTheEngine() {
    Object listener = LoginListeners.forProduct("confluence", hook);
    ConfluenceLoginListener confluence = assertInstanceOf(ConfluenceLoginListener.class, listener);
    confluence.onLogin(
        new com.atlassian.confluence.event.events.security.LoginEvent(
            this, "bob", "session", "host", "192.0.2.1"));
    assertEquals(List.of("bob"), engine.logins);
  }

  @Test
  void listenerMethodsCarryTheEventListenerAnnotation() throws Exception {
    Method jira =
        JiraLoginListener.class.getMethod("onLogin", com.atlassian.jira.event.user.LoginEvent.class);
    Method confluence =
        ConfluenceLoginListener.class.getMethod(
            "onLogin", com.atlassian.confluence.event.events.security.LoginEvent.class);
    assertEquals(true, jira.isAnnotationPresent(EventListener.class));
    assertEquals(true, confluence.isAnnotationPresent(EventListener.class));
  }

  @Test
  void aFailingEngineNeverBreaksTheLogin() {
    engine.onLoginAnswer =
        (u, at) -> {
          throw new IllegalStateException("store down");
        };
    hook.loggedIn("carol");
    now.addAndGet(LoginHook.DEBOUNCE_MILLIS);
    acting.unconfigured = true;
    hook.loggedIn("carol");
    now.addAndGet(LoginHook.DEBOUNCE_MILLIS);
    engine.close();
    acting.unconfigured = false;
    hook.loggedIn("carol");
    assertEquals(List.of("carol"), engine.logins);
  }

  @Test
  void repeatedLoginsOfOneUserReachTheEngineOncePerMinute() {
    for (int i = 0; i < 500; i++) {
      hook.loggedIn(i % 2 == 0 ? "script" : "SCRIPT");
      now.incrementAndGet();
    }
    assertEquals(List.of("script"), engine.logins, "one engine call for 500 Basic-auth logins");
    hook.loggedIn("other");
    now.set(42L + LoginHook.DEBOUNCE_MILLIS);
    hook.loggedIn("script");
    assertEquals(List.of("script", "other", "script"), engine.logins);
  }

  @Test
  void onlyTheLoginOfTheVerifiedRequestCompletesAProvisionalGrant() {
    hook.loggedIn("dana"); // another request of dana's (a token): a plain login
    VerifiedLogin.Scope scope = VerifiedLogin.open("Dana");
    try {
      hook.loggedIn("erin"); // someone else on this thread: plain (and debounced separately)
      hook.loggedIn("dana"); // the verified request's own login: never debounced
    } finally {
      scope.close();
    }
    hook.loggedIn("dana");
    assertEquals(List.of("Dana".toLowerCase(java.util.Locale.ROOT)).size(), engine.completed.size());
    assertEquals(List.of("dana"), engine.completed);
    assertEquals(List.of("dana", "erin"), engine.logins);
    assertEquals(List.of(true, true, true), engine.asAdmin);
  }

  @Test
  void unknownProductIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> LoginListeners.forProduct("bamboo", hook));
  }

  private static ApplicationUser user(String name) {
    return (ApplicationUser)
        Proxy.newProxyInstance(
            LoginListenersTest.class.getClassLoader(),
            new Class<?>[] {ApplicationUser.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getUsername", "getName" -> name;
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
