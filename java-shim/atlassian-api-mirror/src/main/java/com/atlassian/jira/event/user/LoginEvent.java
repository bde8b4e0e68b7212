/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.event.user.LoginEvent as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/event/user/LoginEvent.html
 * Evidence read: Jira LoginManagerImpl source (published only when authentication PASSED); Groovioli and other Jira plugins (@EventListener onLogin(LoginEvent))
 * Status: confirmed (type, when fired); constructor INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.event.user;

import com.atlassian.jira.user.ApplicationUser;

/** Fired by Jira after a successful login (never for a refused one, so never for a deactivated user). */
public class LoginEvent extends UserEvent {
    public LoginEvent(ApplicationUser user) {
        super(user);
    }
}
