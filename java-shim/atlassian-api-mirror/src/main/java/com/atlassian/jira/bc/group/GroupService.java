/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.group.GroupService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/group/GroupService.html
 * Evidence read: Jira DeleteGroup action and REST group resource sources; SOAP plugin (validateDelete/delete(JiraServiceContext, String groupName, String swapGroup) returning boolean)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.group;

import com.atlassian.jira.bc.JiraServiceContext;

/** Group deletion with Jira's clean-up (comment/worklog visibility moved to swapGroup). */
public interface GroupService {
    boolean validateDelete(JiraServiceContext jiraServiceContext, String groupName, String swapGroup);

    boolean delete(JiraServiceContext jiraServiceContext, String groupName, String swapGroup);
}
