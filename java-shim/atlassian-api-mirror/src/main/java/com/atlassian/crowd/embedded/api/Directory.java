/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.Directory as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/Directory.html
 * Evidence read: Jira DefaultUserService source (directory.getAllowedOperations().contains(OperationType.CREATE_USER), directory.getName()); ScriptRunner example (getId, getName);
 *   javadoc of the interface, docs.atlassian.com/atlassian-crowd/2.3.2/com/atlassian/crowd/embedded/api/Directory.html (all members below, Directory extends Serializable, Attributes),
 *   and atlassian-crowd/7.0.0 LazyAttributesEvaluationDirectory (the same members still on Directory in Crowd 7)
 * Status: confirmed (getId, getName, isActive, getType, getAllowedOperations, getAttributes). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

import java.util.Map;
import java.util.Set;

/** A configured user directory (internal, LDAP, delegated LDAP, Crowd...). */
public interface Directory {
    Long getId();

    String getName();

    boolean isActive();

    DirectoryType getType();

    Set<OperationType> getAllowedOperations();

    /** The directory's configuration attributes (e.g. "ldap.local.groups" = "true"). */
    Map<String, String> getAttributes();
}
