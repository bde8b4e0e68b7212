/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.util.thread.JiraThreadLocalUtil as published for Jira (a @PublicApi interface since 6.0).
 * Guide: https://developer.atlassian.com/server/framework/atlassian-sdk/working-with-JiraThreadLocalUtil
 *   ("Any plugin which creates its own threads for processing must use this component").
 * Evidence read: the interface source (jira-api, code index: preCall(), postCall(org.apache.log4j.Logger),
 *   postCall(Logger, WarningCallback)); Atlassian pocketknife AuthenticationContextUtilImpl calling preCall() then
 *   postCall(LOGGER) in finally.
 * Status: preCall() confirmed; postCall(org.apache.log4j.Logger) confirmed for the 6.x-8.x line; on Jira 10 INFERRED
 *   (Jira 9.5 kept the Log4j 1.x API through log4j-1.2-api: "Log4j upgrade details for third-party app vendors").
 *   Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.util.thread;

import org.apache.log4j.Logger;

/** Sets up and clears Jira's thread-local state around work on a plugin's own thread. */
public interface JiraThreadLocalUtil {
    void preCall();

    void postCall(Logger log);
}
