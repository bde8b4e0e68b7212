/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.security.login.LoginManager as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/login/LoginManager.html
 * Evidence read: Confluence javadoc 5.x-8.0 (class-use of LoginInfo: getLoginInfo(String), getLoginInfo(User)); recent decompiled Confluence notification code (loginManager.getLoginInfo(user).getLastSuccessfulLoginDate())
 * Also seen: Confluence DefaultLoginManager (decompiled, recent line, id 41680902616) implements both getLoginInfo methods (@Nullable LoginInfo).
 * Also read: Confluence ResetFailedLoginCountAction (javadoc 6.0.1-7.13.19 lists setLoginManager; decompiled recent line, code index id 41997786748, calls loginManager.resetFailedLoginCount(ConfluenceUser)); Confluence LoginManagerImpl test and a JIRA-compat wrapper (code index id 17417487878) show resetFailedLoginCount(User).
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.security.login;

import com.atlassian.user.User;

/** Login history Confluence records per user. */
public interface LoginManager {
    LoginInfo getLoginInfo(String userName);

    LoginInfo getLoginInfo(User user);

    /** Clears the failed-login count (the CAPTCHA trigger) of a user. */
    void resetFailedLoginCount(User user);
}
