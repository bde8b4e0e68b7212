/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.Query as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/Query.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled): crowdService.search((Query) QueryBuilder...returningAtMost(-1))
 * Status: confirmed (type); no members mirrored. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

/** A Crowd search; built with QueryBuilder. */
public interface Query<T> {
}
