/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.user.UserManager as published on Atlassian Platform 8
 *   (Jira 11.x / Confluence 10.x Data Center): Platform 7's SAL signature with the jakarta servlet types (RFC-77).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/user/UserManager.html
 * Evidence read: RFC-77 (Platform 8 moves every javax servlet type to jakarta); SLACK at 94c50dce still calls getRemoteUserKey() and
 *   isSystemAdmin on Platform 8. The jakarta parameter of getRemoteUserKey(HttpServletRequest) is not seen in any Platform 8 caller.
 * Status: INFERRED (parameter type). Only the members the shim calls; see docs/atlassian-api.md and docs/platform-8.md.
 */
package com.atlassian.sal.api.user;

import jakarta.servlet.http.HttpServletRequest;

/** SAL user manager: who is calling, and are they a system administrator. */
public interface UserManager {
    UserKey getRemoteUserKey(HttpServletRequest request);

    boolean isSystemAdmin(UserKey userKey);
}
