/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.security.access.ConfluenceAccessManager as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/access/ConfluenceAccessManager.html
 * Evidence read: ApplicationPermissionsDelegate javadoc 7.5.0 to 9.0.3 ("To check if a user can use Confluence in general, use
 * ConfluenceAccessManager.getUserAccessStatus(User) then AccessStatus.canUseConfluence()",
 * docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/delegate/ApplicationPermissionsDelegate.html);
 * decompiled RemoteUserHasLicensedAccessCondition (recent line, code index id 42095305585) calling getUserAccessStatus(ConfluenceUser).
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.security.access;

import com.atlassian.user.User;

/** Whether a user may use Confluence (the global "can use" permission and a licence). */
public interface ConfluenceAccessManager {
    AccessStatus getUserAccessStatus(User user);
}
