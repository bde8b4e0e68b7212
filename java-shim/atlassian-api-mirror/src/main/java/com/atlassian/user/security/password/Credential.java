/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.user.security.password.Credential as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/user/security/password/Credential.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled, recent 8.x/9.x line, code index id 41941932432) and PersonServiceImpl (id 42467111741) (Credential.unencrypted(password) passed to createUser)
 * Status: confirmed (unencrypted); minimal body. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.user.security.password;

/** A password for createUser. */
public final class Credential {
    private final String value;

    private Credential(String value) {
        this.value = value;
    }

    public static Credential unencrypted(String password) {
        return new Credential(password);
    }

    @Override
    public String toString() {
        return "Credential[" + (value == null ? "null" : "hidden") + "]";
    }
}
