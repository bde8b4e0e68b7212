/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.UrlMode as published for SAL bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/UrlMode.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (import com.atlassian.sal.api.UrlMode; UrlMode.CANONICAL, UrlMode.ABSOLUTE)
 * Status: confirmed (enum, the two constants used). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api;

/** Which form of the base URL to answer. */
public enum UrlMode {
    ABSOLUTE,
    CANONICAL
}
