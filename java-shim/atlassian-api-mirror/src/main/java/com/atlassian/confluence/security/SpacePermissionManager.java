/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.security.SpacePermissionManager as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/SpacePermissionManager.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled, recent 8.x/9.x line, code index id 41941932432) and PersonServiceImpl (id 42467111741) (spacePermissionManager.getGlobalPermissions("USECONFLUENCE") returning List<SpacePermission>)
 * Status: confirmed (used on the internal subtype; public-interface presence INFERRED). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.security;

import java.util.List;

/** Global and space permissions; global USECONFLUENCE grants are the licence groups. */
public interface SpacePermissionManager {
    List<SpacePermission> getGlobalPermissions(String permissionType);
}
