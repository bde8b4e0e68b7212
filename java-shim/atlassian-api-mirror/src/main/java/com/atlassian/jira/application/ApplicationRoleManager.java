/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.application.ApplicationRoleManager as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/application/ApplicationRoleManager.html
 * Evidence read: Prometheus exporter for Jira (getUserCount(application.getKey())); admin scripts (ComponentAccessor.getComponent(DefaultApplicationRoleManager).getRoles()[0].groups); DefaultApplicationRoleManager javadoc 7.0.8
 * Status: confirmed (getRoles, getUserCount); Set as the return type of getRoles, getRemainingSeats, hasSeatsAvailable INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.application;

import com.atlassian.application.api.ApplicationKey;
import java.util.Set;

/** Licensed applications, their groups and seat usage. */
public interface ApplicationRoleManager {
    Set<ApplicationRole> getRoles();

    int getUserCount(ApplicationKey key);

    int getRemainingSeats(ApplicationKey key);

    boolean hasSeatsAvailable(ApplicationKey key, int seatCount);
}
