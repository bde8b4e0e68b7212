/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.issue.Issue as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/issue/Issue.html
 * Evidence read: plugins and scripts (issue.getId(), issue.getKey(), issue.getProjectObject())
 * Status: confirmed (getId, getKey, getProjectObject); getAssigneeId INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.issue;

import com.atlassian.jira.project.Project;

/** A Jira issue (read view). */
public interface Issue {
    Long getId();

    String getKey();

    Project getProjectObject();

    String getAssigneeId();
}
