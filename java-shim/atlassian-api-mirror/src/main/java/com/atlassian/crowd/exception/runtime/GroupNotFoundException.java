/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.exception.runtime.GroupNotFoundException as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/exception/runtime/GroupNotFoundException.html
 * Evidence read: Confluence TransactionalCrowdServiceWrapper implements UnfilteredCrowdService (decompiled, find_string id 41817322461): full CrowdService signatures with exception packages
 * Status: confirmed (unchecked, package); hierarchy INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.exception.runtime;

/** No such group. */
public class GroupNotFoundException extends CrowdRuntimeException {
    private static final long serialVersionUID = 1L;

    public GroupNotFoundException(String message) {
        super(message);
    }
}
