/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.security.JiraAuthenticationContext as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/security/JiraAuthenticationContext.html
 * Evidence read: plugin code: jiraAuthenticationContext.getLoggedInUser() / setLoggedInUser(user) around IssueService calls (find_string)
 * Status: confirmed (get/set). clearLoggedInUser was dropped from this mirror: the shim restores the previous user with
 * setLoggedInUser(previous), the way Jira's own code does, and never clears. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.security;

import com.atlassian.jira.user.ApplicationUser;

/** Thread-local acting user that Jira services check permissions against. */
public interface JiraAuthenticationContext {
    ApplicationUser getLoggedInUser();

    void setLoggedInUser(ApplicationUser user);
}
