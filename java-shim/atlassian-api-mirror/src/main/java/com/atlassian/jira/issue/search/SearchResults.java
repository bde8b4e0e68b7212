/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.issue.search.SearchResults as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/issue/search/SearchResults.html
 * Evidence read: plugins: SearchResults<Issue> results = searchService.search(..); results.getResults(); results.getTotal()
 * Status: confirmed (generic type, getResults, getTotal); constructor INFERRED; minimal working body. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.issue.search;

import java.util.ArrayList;
import java.util.List;

/** One page of search hits. */
public class SearchResults<T> {
    private final List<T> results;
    private final int total;

    public SearchResults(List<T> results, int totalResultCount, int maxResults, int startIndex) {
        this.results = new ArrayList<>(results);
        this.total = totalResultCount;
    }

    public List<T> getResults() {
        return new ArrayList<>(results);
    }

    public int getTotal() {
        return total;
    }
}
