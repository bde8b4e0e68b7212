/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.issue.search.SearchService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/issue/search/SearchService.html
 * Evidence read: plugins: SearchService.ParseResult parseResult = searchService.parseQuery(user, jql); parseResult.isValid(); parseResult.getQuery(); searchService.search(user, query, PagerFilter) (find_string, many hits)
 * Status: confirmed (parseQuery, search, ParseResult.isValid/getQuery); ParseResult constructor and getErrors INFERRED. Jira 10.4+ also offers IssueDocumentSearchService (see docs/atlassian-api.md). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.issue.search;

import com.atlassian.jira.issue.Issue;
import com.atlassian.jira.issue.search.SearchException;
import com.atlassian.jira.issue.search.SearchResults;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.util.MessageSet;
import com.atlassian.jira.web.bean.PagerFilter;
import com.atlassian.query.Query;

/** JQL parsing and issue search, as a given user. */
public interface SearchService {
    ParseResult parseQuery(ApplicationUser searcher, String query);

    SearchResults<Issue> search(ApplicationUser searcher, Query query, PagerFilter<?> pager) throws SearchException;

    /** Outcome of parseQuery. */
    final class ParseResult {
        private final Query query;
        private final MessageSet errors;

        public ParseResult(Query query, MessageSet errors) {
            this.query = query;
            this.errors = errors;
        }

        public Query getQuery() {
            return query;
        }

        public MessageSet getErrors() {
            return errors;
        }

        public boolean isValid() {
            return query != null && (errors == null || !errors.hasAnyErrors());
        }
    }
}
