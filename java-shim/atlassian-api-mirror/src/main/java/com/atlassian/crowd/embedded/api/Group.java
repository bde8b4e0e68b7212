/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.Group as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/Group.html
 * Evidence read: Confluence TransactionalCrowdServiceWrapper implements UnfilteredCrowdService (decompiled, find_string id 41817322461): full CrowdService signatures with exception packages
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

/** A group as the embedded Crowd directories see it. */
public interface Group {
    String getName();
}
