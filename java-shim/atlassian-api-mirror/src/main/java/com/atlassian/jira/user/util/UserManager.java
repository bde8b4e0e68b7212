/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.user.util.UserManager as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/user/util/UserManager.html
 * Evidence read: public scripts/plugins (getUserByName, getUserByKey); Jira DefaultUserService source in the code index (6.x line: canUpdateUser, canRenameUser, getDirectory(Long) returning a Crowd Directory); Prometheus exporter (getTotalUserCount())
 * Status: confirmed (all members; that none changed by 10.x is the usual assumption). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.user.util;

import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.jira.user.ApplicationUser;

/** Jira's user lookup (not SAL's UserManager). */
public interface UserManager {
    ApplicationUser getUserByKey(String userKey);

    ApplicationUser getUserByName(String userName);

    int getTotalUserCount();

    /** False when the user's directory is read-only: Jira's own test before any profile/active change. */
    boolean canUpdateUser(ApplicationUser user);

    boolean canRenameUser(ApplicationUser user);

    Directory getDirectory(Long directoryId);
}
