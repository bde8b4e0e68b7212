/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.user.User as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/user/User.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled, recent 8.x/9.x line, code index id 41941932432) and PersonServiceImpl (id 42467111741); atlassian-user
 * Status: confirmed (getName); getFullName, getEmail INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.user;

/** atlassian-user user, the type most Confluence user APIs take. */
public interface User {
    String getName();

    String getFullName();

    String getEmail();
}
