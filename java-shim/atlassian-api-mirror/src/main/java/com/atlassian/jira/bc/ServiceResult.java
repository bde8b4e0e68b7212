/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.ServiceResult as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/ServiceResult.html
 * Evidence read: scripts: result.isValid() / result.valid, result.getErrorCollection()
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc;

import com.atlassian.jira.util.ErrorCollection;

/** Result of a Jira service validation or action. */
public interface ServiceResult {
    boolean isValid();

    ErrorCollection getErrorCollection();
}
