/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.exception.runtime.CrowdRuntimeException as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/exception/runtime/CrowdRuntimeException.html
 * Evidence read: Confluence TransactionalCrowdServiceWrapper implements UnfilteredCrowdService (decompiled, find_string id 41817322461): full CrowdService signatures with exception packages
 * Status: confirmed (unchecked, package); name from Confluence DefaultUserAccessor catch clauses; hierarchy INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.exception.runtime;

/** Base of Crowd's unchecked exceptions. */
public class CrowdRuntimeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CrowdRuntimeException(String message) {
        super(message);
    }
}
