/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.JiraServiceContext as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/JiraServiceContext.html
 * Evidence read: Jira sources (validateContext.getErrorCollection())
 * Status: confirmed (getErrorCollection). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc;

import com.atlassian.jira.util.ErrorCollection;

/** Acting user plus an error collection, for older Jira services. */
public interface JiraServiceContext {
    ErrorCollection getErrorCollection();
}
