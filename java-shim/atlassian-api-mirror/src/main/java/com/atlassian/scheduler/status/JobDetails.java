/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.status.JobDetails as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler-api/1.6.0/atlassian-scheduler-api/apidocs/com/atlassian/scheduler/status/JobDetails.html
 *   (@PublicApi interface: getJobId, getJobRunnerKey, getRunMode, getSchedule, getNextRunTime, getParameters, isRunnable)
 * Status: confirmed for the members below on scheduler-api 1.6.0 (same names on SchedulerService implementations up to
 *   Bamboo 10.2.0's javadoc); the Platform 7 version itself not read. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler.status;

import com.atlassian.scheduler.config.JobRunnerKey;
import com.atlassian.scheduler.config.RunMode;
import com.atlassian.scheduler.config.Schedule;

/** The static details of a scheduled job. */
public interface JobDetails {
    JobRunnerKey getJobRunnerKey();

    RunMode getRunMode();

    Schedule getSchedule();
}
