/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.util.ErrorCollection as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/util/ErrorCollection.html
 * Evidence read: Jira sources and plugins (hasAnyErrors, getErrorMessages, getErrors); Jira REST resources and unit tests in the code index
 *   (errorCollection.getReasons().contains(com.atlassian.jira.util.ErrorCollection.Reason.FORBIDDEN), Reason.getWorstReason(getReasons()));
 *   docs.atlassian.com/jira-software/9.12.22/.../greenhopper/model/validation/ErrorCollection.Reason.html ("copied from JIRA's ErrorCollection":
 *   SERVER_ERROR, FORBIDDEN, NOT_FOUND, VALIDATION_FAILED, CONFLICT)
 * Status: confirmed (methods, nested enum Reason, FORBIDDEN); the other Reason constants confirmed only through the Jira Software copy,
 *   NOT_LOGGED_IN INFERRED (the adapter reads reasons through a switch, which tolerates a missing constant). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.util;

import java.util.Collection;
import java.util.Map;
import java.util.Set;

/** Validation errors of a service call. */
public interface ErrorCollection {
    boolean hasAnyErrors();

    Collection<String> getErrorMessages();

    Map<String, String> getErrors();

    /** Well-known reasons why the action was not performed. */
    Set<Reason> getReasons();

    /** Why a service refused, independent of the message text. */
    enum Reason {
        NOT_LOGGED_IN,
        FORBIDDEN,
        NOT_FOUND,
        CONFLICT,
        VALIDATION_FAILED,
        SERVER_ERROR
    }
}
