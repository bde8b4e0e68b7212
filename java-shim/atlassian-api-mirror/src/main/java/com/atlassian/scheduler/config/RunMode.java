/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.config.RunMode as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/config/RunMode.html
 * Evidence read: public plugins using JobConfig.forJobRunnerKey(..).withRunMode(RunMode.RUN_ONCE_PER_CLUSTER).withSchedule(Schedule.forInterval(long, Date)) and registerJobRunner/unregisterJobRunner/scheduleJob (find_string hits incl. decompiled Atlassian plugins)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler.config;

/** Whether a job runs on one node of the cluster or on every node. */
public enum RunMode {
    RUN_ONCE_PER_CLUSTER,
    RUN_LOCALLY
}
