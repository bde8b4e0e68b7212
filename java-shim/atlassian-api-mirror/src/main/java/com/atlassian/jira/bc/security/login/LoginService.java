/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.security.login.LoginService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/security/login/LoginService.html
 * Evidence read: plugin servlet and ScriptRunner example (loginService.getLoginInfo(user.getName()).getLastLoginTime()); Jira LoginManagerImpl source (getLoginInfo returns null for an unknown user)
 * Also read: Jira LoginServiceImpl unit test in the code index (id 37186435002): loginService.resetFailedLoginCount(user) delegates to LoginManager.resetFailedLoginCount(ApplicationUser); ScriptRunner scripts call LoginManager.resetFailedLoginCount(ApplicationUser) (code index ids 24039217398, 23236276236).
 * Status: confirmed (getLoginInfo); resetFailedLoginCount(ApplicationUser) confirmed from the unit test, ApplicationUser as the parameter type INFERRED from the Jira 7+ user model. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.security.login;

import com.atlassian.jira.user.ApplicationUser;

/** Login history Jira records per user (stored as Crowd user attributes). */
public interface LoginService {
    /** Null when no such user. */
    LoginInfo getLoginInfo(String userName);

    /** Clears the failed-login count (the CAPTCHA trigger) of a user. */
    void resetFailedLoginCount(ApplicationUser user);
}
