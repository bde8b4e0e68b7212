/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.license.LicenseCountService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/license/LicenseCountService.html
 * Evidence read: UPM (decompiled: licenseCountService.totalBillableUsers() as Supplier<Integer>), Prometheus exporter and other Jira plugins (int totalBillableUsers()); DefaultApplicationRoleManager javadoc 7.0.8 (flush)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.license;

/** Billable-user count across all applications (cached). */
public interface LicenseCountService {
    int totalBillableUsers();

    void flush();
}
