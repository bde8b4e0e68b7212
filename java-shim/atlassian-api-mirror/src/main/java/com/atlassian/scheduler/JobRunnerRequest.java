/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.JobRunnerRequest as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/JobRunnerRequest.html
 * Evidence read: plugins: request.isCancellationRequested() then JobRunnerResponse.aborted(..)
 * Status: isCancellationRequested confirmed (getStartTime dropped: the shim takes the tick time from its own clock). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler;

/** What the scheduler passes to a running job. */
public interface JobRunnerRequest {
    boolean isCancellationRequested();
}
