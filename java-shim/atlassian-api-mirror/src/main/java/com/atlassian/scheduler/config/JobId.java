/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.config.JobId as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/config/JobId.html
 * Evidence read: public plugins using JobConfig.forJobRunnerKey(..).withRunMode(RunMode.RUN_ONCE_PER_CLUSTER).withSchedule(Schedule.forInterval(long, Date)) and registerJobRunner/unregisterJobRunner/scheduleJob (find_string hits incl. decompiled Atlassian plugins)
 * Status: confirmed (of). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler.config;

import java.io.Serializable;
import java.util.Objects;

/** Names a scheduled job. Minimal value semantics so fakes can use it. */
public final class JobId implements Serializable, Comparable<JobId> {
    private static final long serialVersionUID = 1L;
    private final String id;

    private JobId(String id) {
        this.id = Objects.requireNonNull(id, "id");
    }

    public static JobId of(String id) {
        return new JobId(id);
    }

    @Override
    public int compareTo(JobId o) {
        return id.compareTo(o.id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobId && ((JobId) o).id.equals(id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id;
    }
}
