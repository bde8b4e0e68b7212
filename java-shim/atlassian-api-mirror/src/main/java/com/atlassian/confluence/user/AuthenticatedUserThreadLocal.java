/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.user.AuthenticatedUserThreadLocal as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/user/AuthenticatedUserThreadLocal.html
 * Evidence read: Confluence sources and plugins: AuthenticatedUserThreadLocal.set(user) / get() / reset() (find_string, many hits)
 * Status: confirmed; body is a minimal ThreadLocal stand-in. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.user;

/** The acting Confluence user of the current thread. */
public final class AuthenticatedUserThreadLocal {
    private static final ThreadLocal<ConfluenceUser> USER = new ThreadLocal<>();

    private AuthenticatedUserThreadLocal() {
    }

    public static ConfluenceUser get() {
        return USER.get();
    }

    public static void set(ConfluenceUser user) {
        USER.set(user);
    }

    public static void reset() {
        USER.remove();
    }
}
