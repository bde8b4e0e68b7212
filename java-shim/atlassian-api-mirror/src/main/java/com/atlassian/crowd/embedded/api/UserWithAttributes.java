/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.UserWithAttributes as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/UserWithAttributes.html
 * Evidence read: CrowdService source declaring "UserWithAttributes getUserWithAttributes(String name)" (code index, file id 37118478670); public callers of getValue on it (file ids 9863639490, 37682659729)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

/** A user together with its directory attributes. */
public interface UserWithAttributes extends User, Attributes {}
