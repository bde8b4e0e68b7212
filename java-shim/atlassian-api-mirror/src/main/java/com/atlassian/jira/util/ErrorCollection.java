/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.util.ErrorCollection as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/util/ErrorCollection.html
 * Evidence read: Jira sources and plugins (hasAnyErrors, getErrorMessages, getErrors)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.util;

import java.util.Collection;
import java.util.Map;

/** Validation errors of a service call. */
public interface ErrorCollection {
    boolean hasAnyErrors();

    Collection<String> getErrorMessages();

    Map<String, String> getErrors();
}
