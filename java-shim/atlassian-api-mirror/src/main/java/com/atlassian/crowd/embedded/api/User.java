/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.User as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/User.html
 * Evidence read: Crowd directory sources and Jira/Confluence plugins (getName, getDisplayName, getEmailAddress, isActive, getDirectoryId)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

/** A user as the embedded Crowd directories see it. */
public interface User {
    String getName();

    String getDisplayName();

    String getEmailAddress();

    boolean isActive();

    long getDirectoryId();
}
