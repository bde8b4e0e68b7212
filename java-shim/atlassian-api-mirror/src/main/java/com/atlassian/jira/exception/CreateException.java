/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.exception.CreateException as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/exception/CreateException.html
 * Evidence read: Jira DefaultUserService source in the code index (imports com.atlassian.jira.exception.*; createUser... throws PermissionException, CreateException)
 * Status: confirmed (package, checked); constructor INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.exception;

/** Creating an entity failed. */
public class CreateException extends Exception {
    private static final long serialVersionUID = 1L;

    public CreateException(String message) {
        super(message);
    }
}
