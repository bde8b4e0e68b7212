/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.query.Query as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/query/Query.html
 * Evidence read: plugins: searchService.parseQuery(user, jql).getQuery(); searchService.search(user, query, pager)
 * Status: confirmed (type); no members mirrored. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.query;

/** A parsed JQL query. */
public interface Query {
}
