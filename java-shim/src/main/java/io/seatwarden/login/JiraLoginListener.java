package io.seatwarden.login;

import com.atlassian.event.api.EventListener;
import com.atlassian.jira.event.user.LoginEvent;
import com.atlassian.jira.user.ApplicationUser;
import java.util.Objects;

/**
 * Jira's login event → {@link LoginHook}. Jira publishes {@link LoginEvent} only after a login
 * passed authentication and authorisation. Loaded only in Jira (see {@link LoginListeners}).
 */
public final class JiraLoginListener {

  private final LoginHook hook;

  /** A listener feeding {@code hook}. */
  public JiraLoginListener(LoginHook hook) {
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  /** Called by Jira's event publisher. */
  @EventListener
  public void onLogin(LoginEvent event) {
    ApplicationUser user = event.getUser();
    if (user != null) {
      hook.loggedIn(user.getUsername());
    }
  }
}
