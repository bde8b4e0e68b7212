/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.application.ApplicationAuthorizationService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/application/ApplicationAuthorizationService.html
 * Evidence read: Jira 7.0.8 javadoc package summary ("A utility service to determine if a user has access to a specific
 * application (as identified by its ApplicationKey)", docs.atlassian.com/jira/7.0.8/com/atlassian/jira/application/package-summary.html);
 * plugin code in the code index calling applicationAuthorizationService.canUseApplication(ApplicationUser, ApplicationKey)
 * (ids 25109253253, 32597025961, 31195860282).
 * Status: confirmed (canUseApplication). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.application;

import com.atlassian.application.api.ApplicationKey;
import com.atlassian.jira.user.ApplicationUser;

/** Whether a user has access to (a licence for) an application. */
public interface ApplicationAuthorizationService {
    boolean canUseApplication(ApplicationUser user, ApplicationKey key);
}
