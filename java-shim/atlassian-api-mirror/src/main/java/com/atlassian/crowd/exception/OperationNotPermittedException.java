/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.exception.OperationNotPermittedException as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/exception/OperationNotPermittedException.html
 * Evidence read: Confluence TransactionalCrowdServiceWrapper implements UnfilteredCrowdService (decompiled, find_string id 41817322461): full CrowdService signatures with exception packages
 * Status: confirmed (checked, package); parent class INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.exception;

/** The directory does not permit the operation (for example a read-only LDAP directory). */
public class OperationNotPermittedException extends CrowdException {
    private static final long serialVersionUID = 1L;

    public OperationNotPermittedException(String message) {
        super(message);
    }
}
