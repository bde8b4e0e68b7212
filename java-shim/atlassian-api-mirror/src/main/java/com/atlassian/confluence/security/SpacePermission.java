/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.security.SpacePermission as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/security/SpacePermission.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled, recent 8.x/9.x line, code index id 41941932432) and PersonServiceImpl (id 42467111741) (permission.getUserSubject(), permission.isGroupPermission(), permission.getGroup())
 * Status: confirmed (methods, USECONFLUENCE value); other constant names and values INFERRED; real class is a persistent entity. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.security;

/** One permission grant. Real instances come from SpacePermissionManager; fakes subclass this. */
public class SpacePermission {
    public static final String USE_CONFLUENCE_PERMISSION = "USECONFLUENCE";
    public static final String CONFLUENCE_ADMINISTRATOR_PERMISSION = "ADMINISTRATECONFLUENCE";
    public static final String SYSTEM_ADMINISTRATOR_PERMISSION = "SYSTEMADMINISTRATOR";

    protected SpacePermission() {
    }

    public String getType() {
        throw new UnsupportedOperationException("compile-only mirror");
    }

    public boolean isGroupPermission() {
        throw new UnsupportedOperationException("compile-only mirror");
    }

    public String getGroup() {
        throw new UnsupportedOperationException("compile-only mirror");
    }

    public com.atlassian.confluence.user.ConfluenceUser getUserSubject() {
        throw new UnsupportedOperationException("compile-only mirror");
    }
}
