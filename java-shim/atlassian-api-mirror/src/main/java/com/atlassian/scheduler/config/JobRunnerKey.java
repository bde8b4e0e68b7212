/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.config.JobRunnerKey as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/config/JobRunnerKey.html
 * Evidence read: public plugins using JobConfig.forJobRunnerKey(..).withRunMode(RunMode.RUN_ONCE_PER_CLUSTER).withSchedule(Schedule.forInterval(long, Date)) and registerJobRunner/unregisterJobRunner/scheduleJob (find_string hits incl. decompiled Atlassian plugins)
 * Status: confirmed (of). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler.config;

import java.io.Serializable;
import java.util.Objects;

/** Names a job runner. Minimal value semantics so fakes can use it. */
public final class JobRunnerKey implements Serializable, Comparable<JobRunnerKey> {
    private static final long serialVersionUID = 1L;
    private final String key;

    private JobRunnerKey(String key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    public static JobRunnerKey of(String key) {
        return new JobRunnerKey(key);
    }

    @Override
    public int compareTo(JobRunnerKey o) {
        return key.compareTo(o.key);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobRunnerKey && ((JobRunnerKey) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key;
    }
}
