/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.project.ProjectManager as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/project/ProjectManager.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server@0664226^ (projectManager.getProjectObj(Long))
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.project;

/** Project lookup. */
public interface ProjectManager {
    Project getProjectObj(Long id);
}
