/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.user.UserManager as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/user/UserManager.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (getRemoteUser(request), getRemoteUserKey(), isSystemAdmin(UserKey))
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.user;

import javax.servlet.http.HttpServletRequest;

/** SAL user manager: who is calling, and are they a system administrator. */
public interface UserManager {
    UserKey getRemoteUserKey(HttpServletRequest request);

    boolean isSystemAdmin(UserKey userKey);
}
