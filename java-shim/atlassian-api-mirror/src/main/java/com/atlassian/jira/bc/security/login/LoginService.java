/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.security.login.LoginService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/security/login/LoginService.html
 * Evidence read: plugin servlet and ScriptRunner example (loginService.getLoginInfo(user.getName()).getLastLoginTime()); Jira LoginManagerImpl source (getLoginInfo returns null for an unknown user)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.security.login;

/** Login history Jira records per user (stored as Crowd user attributes). */
public interface LoginService {
    /** Null when no such user. */
    LoginInfo getLoginInfo(String userName);
}
