/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.ServiceResultImpl as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/ServiceResultImpl.html
 * Evidence read: Jira javadoc (validation results extend ServiceResultImpl)
 * Status: confirmed (type); constructor INFERRED; minimal working body. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc;

import com.atlassian.jira.util.ErrorCollection;

/** Base class of Jira's validation results. */
public class ServiceResultImpl implements ServiceResult {
    private final ErrorCollection errorCollection;

    public ServiceResultImpl(ErrorCollection errorCollection) {
        this.errorCollection = errorCollection;
    }

    @Override
    public boolean isValid() {
        return errorCollection == null || !errorCollection.hasAnyErrors();
    }

    @Override
    public ErrorCollection getErrorCollection() {
        return errorCollection;
    }
}
