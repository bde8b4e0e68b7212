/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.OperationType as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/OperationType.html
 * Evidence read: docs.atlassian.com/atlassian-crowd/5.1.3 and 6.0.4 .../crowd/embedded/api/OperationType.html (all twelve constants)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

/** An operation a user directory may allow (read-only LDAP allows none of the user writes). */
public enum OperationType {
    CREATE_USER,
    CREATE_GROUP,
    CREATE_ROLE,
    UPDATE_USER,
    UPDATE_GROUP,
    UPDATE_ROLE,
    DELETE_USER,
    DELETE_GROUP,
    DELETE_ROLE,
    UPDATE_USER_ATTRIBUTE,
    UPDATE_GROUP_ATTRIBUTE,
    UPDATE_ROLE_ATTRIBUTE
}
