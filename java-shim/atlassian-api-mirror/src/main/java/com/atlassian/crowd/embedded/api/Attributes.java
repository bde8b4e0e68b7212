/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.Attributes as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/Attributes.html
 * Evidence read: a public Jira admin script calling crowdService.getUserWithAttributes(name).getValue("login.lastLoginMillis") (code index, file id 9863639490); Crowd's DbCachingRemoteDirectory test reading getValue(UserConstants.LAST_AUTHENTICATED) (code index, file id 37682659729)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

/** Multi-valued string attributes of a directory entity. */
public interface Attributes {
    /** One value of {@code key} (any one, if several), or {@code null} if there is none. */
    String getValue(String key);
}
