/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.JobRunnerRequest as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/JobRunnerRequest.html
 * Evidence read: plugins: request.isCancellationRequested() then JobRunnerResponse.aborted(..)
 * Status: isCancellationRequested confirmed; getStartTime INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler;

import java.util.Date;

/** What the scheduler passes to a running job. */
public interface JobRunnerRequest {
    Date getStartTime();

    boolean isCancellationRequested();
}
