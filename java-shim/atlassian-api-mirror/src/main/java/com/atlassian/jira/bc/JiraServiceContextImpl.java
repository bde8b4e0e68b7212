/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.JiraServiceContextImpl as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/JiraServiceContextImpl.html
 * Evidence read: Jira sources and plugins: new JiraServiceContextImpl(user), new JiraServiceContextImpl(user, errorCollection)
 * Status: confirmed (constructors); minimal working body. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc;

import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.util.ErrorCollection;
import com.atlassian.jira.util.SimpleErrorCollection;

/** Default JiraServiceContext. */
public class JiraServiceContextImpl implements JiraServiceContext {
    private final ApplicationUser user;
    private final ErrorCollection errorCollection;

    public JiraServiceContextImpl(ApplicationUser user) {
        this(user, new SimpleErrorCollection());
    }

    public JiraServiceContextImpl(ApplicationUser user, ErrorCollection errorCollection) {
        this.user = user;
        this.errorCollection = errorCollection;
    }

    public ApplicationUser getLoggedInApplicationUser() {
        return user;
    }

    @Override
    public ErrorCollection getErrorCollection() {
        return errorCollection;
    }
}
