/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.SchedulerService as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/SchedulerService.html
 * Evidence read: public plugins using JobConfig.forJobRunnerKey(..).withRunMode(RunMode.RUN_ONCE_PER_CLUSTER).withSchedule(Schedule.forInterval(long, Date)) and registerJobRunner/unregisterJobRunner/scheduleJob (find_string hits incl. decompiled Atlassian plugins)
 * getJobDetails(JobId): "@Nullable JobDetails getJobDetails(@NotNull JobId)", scheduler-api 1.6.0 javadoc
 *   (https://docs.atlassian.com/atlassian-scheduler-api/1.6.0/atlassian-scheduler-api/apidocs/com/atlassian/scheduler/SchedulerService.html)
 *   and Bamboo 10.2.0's AtlassianSchedulerServiceImpl javadoc.
 * Status: confirmed (incl. unscheduleJob(JobId), getJobDetails(JobId)). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler;

import com.atlassian.scheduler.config.JobConfig;
import com.atlassian.scheduler.config.JobId;
import com.atlassian.scheduler.config.JobRunnerKey;
import com.atlassian.scheduler.status.JobDetails;

/** Cluster-aware job scheduler. */
public interface SchedulerService {
    void registerJobRunner(JobRunnerKey jobRunnerKey, JobRunner jobRunner);

    void unregisterJobRunner(JobRunnerKey jobRunnerKey);

    void scheduleJob(JobId jobId, JobConfig jobConfig) throws SchedulerServiceException;

    void unscheduleJob(JobId jobId);

    /** The job's details, or null when no job has that id. */
    JobDetails getJobDetails(JobId jobId);
}
