/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.user.UserKey as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/user/UserKey.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (userKey.getStringValue(), new UserKey(..)); Confluence DefaultUserAccessor (decompiled, getUserByKey(UserKey))
 * Status: confirmed (constructor, getStringValue); value semantics are a minimal stand-in. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.user;

import java.io.Serializable;
import java.util.Objects;

/** Key of a user, stable across renames. Minimal value semantics so fakes can use it. */
public final class UserKey implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String userKey;

    public UserKey(String userKey) {
        this.userKey = Objects.requireNonNull(userKey, "userKey");
    }

    public String getStringValue() {
        return userKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserKey && ((UserKey) o).userKey.equals(userKey);
    }

    @Override
    public int hashCode() {
        return userKey.hashCode();
    }

    @Override
    public String toString() {
        return userKey;
    }
}
