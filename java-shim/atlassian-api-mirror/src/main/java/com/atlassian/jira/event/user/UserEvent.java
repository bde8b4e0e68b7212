/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.event.user.UserEvent as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/event/user/UserEvent.html
 * Evidence read: Jira LoginManagerImpl source (new LoginEvent(user) published after PASSED authentication); plugins listening for LoginEvent
 * Status: type confirmed; getUser() returning ApplicationUser INFERRED for 10.x. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.event.user;

import com.atlassian.jira.user.ApplicationUser;

/** Base of Jira user events. */
public class UserEvent {
    private final ApplicationUser user;

    public UserEvent(ApplicationUser user) {
        this.user = user;
    }

    public ApplicationUser getUser() {
        return user;
    }
}
