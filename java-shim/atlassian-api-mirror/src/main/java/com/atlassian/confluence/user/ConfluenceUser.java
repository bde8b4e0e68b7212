/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.user.ConfluenceUser as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/user/ConfluenceUser.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled, recent 8.x/9.x line, code index id 41941932432) and PersonServiceImpl (id 42467111741) (newlyCreatedUser.getKey().getStringValue(); user.getLowerName())
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.user;

import com.atlassian.sal.api.user.UserKey;

/** A Confluence user; the key survives renames. */
public interface ConfluenceUser extends com.atlassian.user.User {
    UserKey getKey();

    String getLowerName();
}
