/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.issue.search.SearchException as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/issue/search/SearchException.html
 * Evidence read: plugins catching SearchException around searchService.search
 * Status: confirmed (checked). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.issue.search;

/** The search failed. */
public class SearchException extends Exception {
    private static final long serialVersionUID = 1L;

    public SearchException(String message) {
        super(message);
    }
}
