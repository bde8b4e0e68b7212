package io.seatwarden.login;

import com.atlassian.confluence.event.events.security.LoginEvent;
import com.atlassian.event.api.EventListener;
import java.util.Objects;

/**
 * Confluence's login event → {@link LoginHook}. Confluence publishes {@link LoginEvent} for
 * successful logins only. Loaded only in Confluence (see {@link LoginListeners}).
 */
public final class ConfluenceLoginListener {

  private final LoginHook hook;

  /** A listener feeding {@code hook}. */
  public ConfluenceLoginListener(LoginHook hook) {
    this.hook = Objects.requireNonNull(hook, "hook");
  }

  /** Called by Confluence's event publisher. */
  @EventListener
  public void onLogin(LoginEvent event) {
    hook.loggedIn(event.getUsername());
  }
}
