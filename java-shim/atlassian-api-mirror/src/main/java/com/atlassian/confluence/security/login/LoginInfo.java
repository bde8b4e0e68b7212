/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.security.login.LoginInfo as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/login/LoginInfo.html
 * Evidence read: recent decompiled Confluence code (getLastSuccessfulLoginDate, may be null); HistoricalLoginInfo javadoc 5.8-7.3 (getPreviousSuccessfulLoginDate, getCurrentFailedLoginCount int)
 * Status: confirmed (getLastSuccessfulLoginDate); the others INFERRED to be reachable on LoginInfo. Confluence records NO login count. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.security.login;

import java.util.Date;

/** Login history of one user; dates are null when never logged in. */
public interface LoginInfo {
    Date getLastSuccessfulLoginDate();

    Date getPreviousSuccessfulLoginDate();

    int getCurrentFailedLoginCount();

    boolean isElevatedSecurityCheckRequired();
}
