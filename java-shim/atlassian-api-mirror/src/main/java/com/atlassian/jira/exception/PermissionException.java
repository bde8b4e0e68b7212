/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.exception.PermissionException as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/exception/PermissionException.html
 * Evidence read: Jira DefaultUserService source in the code index (imports com.atlassian.jira.exception.*; createUser... throws PermissionException, CreateException)
 * Status: confirmed (package, checked); constructor INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.exception;

/** The acting user lacks a permission. */
public class PermissionException extends Exception {
    private static final long serialVersionUID = 1L;

    public PermissionException(String message) {
        super(message);
    }
}
