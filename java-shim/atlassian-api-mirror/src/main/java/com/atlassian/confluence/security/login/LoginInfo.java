/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.security.login.LoginInfo as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/login/LoginInfo.html
 * Evidence read: Confluence DefaultLoginManager (decompiled, recent 8.x/9.x line, code index id 41680902616): its nested
 * DefaultLoginInfo implements LoginInfo with @Override requiresElevatedSecurityCheck(), getLastSuccessfulLoginDate(),
 * getPreviousSuccessfulLoginDate(), getLastFailedLoginDate(), getCurrentFailedLoginCount() and getTotalFailedLoginCount() (int).
 * NOTE: the elevated-security flag is requiresElevatedSecurityCheck() in Confluence (Jira's LoginInfo names it
 * isElevatedSecurityCheckRequired()); an earlier mirror had Jira's name here, which would not have linked.
 * Status: confirmed. Confluence records NO login count. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.security.login;

import java.util.Date;

/** Login history of one user; dates are null when never logged in. */
public interface LoginInfo {
    Date getLastSuccessfulLoginDate();

    /** Whether the user must pass a CAPTCHA before the next password check counts. */
    boolean requiresElevatedSecurityCheck();
}
