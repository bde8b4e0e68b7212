/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.security.login.LoginInfo as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/security/login/LoginInfo.html
 * Evidence read: Jira unit-test source in the code index (getLastLoginTime, getPreviousLoginTime, getLastFailedLoginTime, getLoginCount, getCurrentFailedLoginCount, getTotalFailedLoginCount all Long); LoginManagerImpl (isElevatedSecurityCheckRequired)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.security.login;

/** Login history of one user; all counters and times may be null (never logged in). Times are epoch ms. */
public interface LoginInfo {
    Long getLastLoginTime();

    Long getPreviousLoginTime();

    Long getLastFailedLoginTime();

    Long getLoginCount();

    Long getCurrentFailedLoginCount();

    Long getTotalFailedLoginCount();

    boolean isElevatedSecurityCheckRequired();
}
