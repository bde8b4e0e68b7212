/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.DirectoryType as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/DirectoryType.html
 * Evidence read: docs.atlassian.com/atlassian-crowd/4.4.0/com/atlassian/crowd/embedded/api/DirectoryType.html (UNKNOWN, INTERNAL, CONNECTOR, CUSTOM, DELEGATING, CROWD, AZURE_AD)
 * Status: confirmed (the constants mirrored; AZURE_AD exists too and is not used: a switch maps it to OTHER). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

/** Kind of user directory. */
public enum DirectoryType {
    UNKNOWN,
    INTERNAL,
    CONNECTOR,
    CUSTOM,
    DELEGATING,
    CROWD
}
