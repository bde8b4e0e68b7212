/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.extras.api.confluence.ConfluenceLicense as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/atlassian-extras/latest/
 * Evidence read: Confluence sources (license.isUnlimitedNumberOfUsers(), license.getMaximumNumberOfUsers())
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.extras.api.confluence;

/** Licence details that matter for seats. */
public interface ConfluenceLicense {
    boolean isUnlimitedNumberOfUsers();

    int getMaximumNumberOfUsers();
}
