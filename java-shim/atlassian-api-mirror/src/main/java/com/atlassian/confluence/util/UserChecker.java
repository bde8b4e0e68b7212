/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.util.UserChecker as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/util/UserChecker.html
 * Evidence read: Confluence sources (userChecker.getNumberOfRegisteredUsers() returns -1 while counting; isLicensedToAddMoreUsers(); resetResult())
 * Status: confirmed (methods); interface-ness INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.util;

/** Cached count of licence-consuming users. */
public interface UserChecker {
    /** -1 while the count is being computed. */
    int getNumberOfRegisteredUsers();

    boolean isLicensedToAddMoreUsers();

    void resetResult();
}
