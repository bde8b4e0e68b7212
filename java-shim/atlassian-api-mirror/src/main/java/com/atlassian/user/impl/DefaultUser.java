/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.user.impl.DefaultUser as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/user/impl/DefaultUser.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled, recent 8.x/9.x line, code index id 41941932432):
 *   createUser(new DefaultUser(username.toLowerCase(), fullname, email), Credential.unencrypted(password)); other Confluence code
 *   (new DefaultUser(username))
 * Status: confirmed (class, constructor (String, String, String), implements com.atlassian.user.User); minimal working body.
 *   Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.user.impl;

import com.atlassian.user.User;

/** A plain atlassian-user user: the template for UserAccessor.createUser and saveUser. */
public class DefaultUser implements User {
    private final String name;
    private final String fullName;
    private final String email;

    public DefaultUser(String name, String fullName, String email) {
        this.name = name;
        this.fullName = fullName;
        this.email = email;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public String getFullName() {
        return fullName;
    }

    @Override
    public String getEmail() {
        return email;
    }
}
