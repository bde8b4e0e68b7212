/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.permission.GlobalPermissionKey as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/permission/GlobalPermissionKey.html
 * Evidence read: Jira source (globalPermissionManager.getGroupsWithPermission(GlobalPermissionKey.ADMINISTER / SYSTEM_ADMIN))
 * Status: confirmed (constants); minimal value body. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.permission;

/** Key of a global permission. */
public final class GlobalPermissionKey {
    public static final GlobalPermissionKey SYSTEM_ADMIN = new GlobalPermissionKey("SYSTEM_ADMIN");
    public static final GlobalPermissionKey ADMINISTER = new GlobalPermissionKey("ADMINISTER");
    private final String key;

    private GlobalPermissionKey(String key) {
        this.key = key;
    }

    public String getKey() {
        return key;
    }

    @Override
    public String toString() {
        return key;
    }
}
