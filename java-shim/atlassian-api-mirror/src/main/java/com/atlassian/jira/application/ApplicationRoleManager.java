/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.application.ApplicationRoleManager as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/application/ApplicationRoleManager.html
 * Evidence read: Prometheus exporter for Jira (getUserCount(application.getKey())); admin scripts (ComponentAccessor.getComponent(DefaultApplicationRoleManager).getRoles()[0].groups); DefaultApplicationRoleManager javadoc 7.0.8
 * Also read: Atlassian's authentication (SSO) plugin, JiraLicenseChecker (decompiled, code index id 42377669495): applicationRoleManager.hasSeatsAvailable(applicationRole.getKey(), 1) as a boolean, getRolesForGroup(group).stream().
 * Status: confirmed (getRoles, getUserCount, hasSeatsAvailable(ApplicationKey, int)); Set as the return type of getRoles INFERRED (a Set<ApplicationRole> is what the plugin code streams).
 * getRemainingSeats was dropped from this mirror: the shim does not call it. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.application;

import com.atlassian.application.api.ApplicationKey;
import java.util.Set;

/** Licensed applications, their groups and seat usage. */
public interface ApplicationRoleManager {
    Set<ApplicationRole> getRoles();

    int getUserCount(ApplicationKey key);

    boolean hasSeatsAvailable(ApplicationKey key, int seatCount);
}
