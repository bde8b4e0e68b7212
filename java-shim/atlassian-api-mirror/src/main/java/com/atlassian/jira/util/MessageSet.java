/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.util.MessageSet as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/util/MessageSet.html
 * Evidence read: from memory (SearchService.ParseResult.getErrors())
 * Status: INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.util;

import java.util.Set;

/** Errors and warnings, for example of a JQL parse. */
public interface MessageSet {
    boolean hasAnyErrors();

    Set<String> getErrorMessages();
}
