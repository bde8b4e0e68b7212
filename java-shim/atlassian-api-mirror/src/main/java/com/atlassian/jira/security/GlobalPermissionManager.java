/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.security.GlobalPermissionManager as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/security/GlobalPermissionManager.html
 * Evidence read: Jira source (getGroupsWithPermission(GlobalPermissionKey) returning Collection<Group>)
 * Status: confirmed (getGroupsWithPermission); hasPermission INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.security;

import com.atlassian.crowd.embedded.api.Group;
import com.atlassian.jira.permission.GlobalPermissionKey;
import com.atlassian.jira.user.ApplicationUser;
import java.util.Collection;

/** Global permissions: used to find the admin groups Seatwarden must never delete or empty. */
public interface GlobalPermissionManager {
    Collection<Group> getGroupsWithPermission(GlobalPermissionKey permissionKey);

    boolean hasPermission(GlobalPermissionKey permissionKey, ApplicationUser user);
}
