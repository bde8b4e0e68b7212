/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.exception.CrowdException as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/exception/CrowdException.html
 * Evidence read: Crowd exception sources (find_string)
 * Status: INFERRED (checked base class). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.exception;

/** Base of Crowd's checked exceptions. */
public abstract class CrowdException extends Exception {
    private static final long serialVersionUID = 1L;

    protected CrowdException(String message) {
        super(message);
    }
}
