/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.project.Project as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/project/Project.html
 * Evidence read: scripts: issue.getProjectObject().getProjectLead(); UpdateProjectParameters.leadUserKey (find_string)
 * Status: confirmed (getProjectLead); getId/getKey/getLeadUserKey INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.project;

import com.atlassian.jira.user.ApplicationUser;

/** A Jira project. */
public interface Project {
    Long getId();

    String getKey();

    /** May be null or inactive; the handover must check. */
    ApplicationUser getProjectLead();

    String getLeadUserKey();
}
