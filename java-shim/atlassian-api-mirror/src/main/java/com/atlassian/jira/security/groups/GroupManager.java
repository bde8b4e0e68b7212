/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.security.groups.GroupManager as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/security/groups/GroupManager.html
 * Evidence read: plugins and scripts: getGroupNamesForUser(ApplicationUser), groupExists(String), getGroup(String) (find_string);
 *   Jira plugins: Collection<ApplicationUser> users = groupManager.getUsersInGroup(group) with a Crowd Group (find_string "groupManager.getUsersInGroup(")
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.security.groups;

import com.atlassian.crowd.embedded.api.Group;
import com.atlassian.jira.user.ApplicationUser;
import java.util.Collection;

/** Jira's read view of groups and memberships. */
public interface GroupManager {
    Collection<String> getGroupNamesForUser(ApplicationUser user);

    boolean groupExists(String groupName);

    Group getGroup(String groupName);

    /** Every member, nested groups included. */
    Collection<ApplicationUser> getUsersInGroup(Group group);
}
