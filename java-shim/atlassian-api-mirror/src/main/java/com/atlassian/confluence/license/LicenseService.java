/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.license.LicenseService as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/license/LicenseService.html
 * Evidence read: Confluence sources (licenseService.retrieve() inside catch (LicenseException))
 * Status: confirmed (retrieve). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.license;

import com.atlassian.extras.api.confluence.ConfluenceLicense;

/** The installed Confluence licence. */
public interface LicenseService {
    ConfluenceLicense retrieve();
}
