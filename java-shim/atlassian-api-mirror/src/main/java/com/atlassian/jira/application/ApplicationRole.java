/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.application.ApplicationRole as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/application/ApplicationRole.html
 * Evidence read: admin scripts (role.groups, group.getName()); Jira REST ApplicationRole bean fields (key, name, groups, defaultGroups, numberOfSeats)
 * Also read: Atlassian's authentication (SSO) plugin, JiraLicenseChecker (decompiled): applicationRole.getKey() as an ApplicationKey.
 * Status: getGroups, getKey confirmed; getName, getNumberOfSeats INFERRED (getDefaultGroups dropped: the shim does not call it). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.application;

import com.atlassian.application.api.ApplicationKey;
import com.atlassian.crowd.embedded.api.Group;
import java.util.Set;

/** A licensed Jira application and the groups that grant it. */
public interface ApplicationRole {
    ApplicationKey getKey();

    String getName();

    Set<Group> getGroups();

    /** Seats in the licence; negative means unlimited. */
    int getNumberOfSeats();
}
