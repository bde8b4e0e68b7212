/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.user.ApplicationUser as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/user/ApplicationUser.html
 * Evidence read: public scripts and plugins: getKey, getUsername, getName, getDisplayName, getEmailAddress, isActive, getDirectoryId, getDirectoryUser (find_string hits)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.user;

/** A Jira user; the key never changes, the username can (rename). */
public interface ApplicationUser {
    String getKey();

    String getUsername();

    String getName();

    String getDisplayName();

    String getEmailAddress();

    boolean isActive();

    long getDirectoryId();

    com.atlassian.crowd.embedded.api.User getDirectoryUser();
}
