/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.exception.FailedAuthenticationException as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/exception/FailedAuthenticationException.html
 * Evidence read: Confluence TransactionalCrowdServiceWrapper implements UnfilteredCrowdService (decompiled, find_string id 41817322461): full CrowdService signatures with exception packages; InactiveAccountException source (find_string)
 * Status: confirmed (checked; parent of InactiveAccountException). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.exception;

/** Authentication failed: wrong credentials, inactive account, expired credential... */
public class FailedAuthenticationException extends CrowdException {
    private static final long serialVersionUID = 1L;

    public FailedAuthenticationException(String message) {
        super(message);
    }
}
