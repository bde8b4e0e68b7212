/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.security.access.AccessStatus as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/access/AccessStatus.html
 * Evidence read: ApplicationPermissionsDelegate javadoc 7.5.0 to 9.0.3 (AccessStatus.canUseConfluence()); decompiled
 * RemoteUserHasLicensedAccessCondition (code index id 42095305585: hasLicensedAccess()).
 * Status: canUseConfluence confirmed (javadoc); hasLicensedAccess confirmed (decompiled). Only the members the shim calls.
 */
package com.atlassian.confluence.security.access;

/** A user's access to Confluence. */
public interface AccessStatus {
    boolean canUseConfluence();

    boolean hasLicensedAccess();
}
