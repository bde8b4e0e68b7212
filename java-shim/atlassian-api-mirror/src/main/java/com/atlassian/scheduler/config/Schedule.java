/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.config.Schedule as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/config/Schedule.html
 * Evidence read: public plugins using Schedule.forInterval(long, Date) (find_string hits incl. decompiled Atlassian plugins)
 * Status: confirmed (forInterval(long, Date)); getIntervalScheduleInfo INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler.config;

import java.util.Date;

/** When a job runs. Only the interval form is mirrored. */
public final class Schedule {
    private final IntervalScheduleInfo intervalScheduleInfo;

    private Schedule(IntervalScheduleInfo intervalScheduleInfo) {
        this.intervalScheduleInfo = intervalScheduleInfo;
    }

    public static Schedule forInterval(long intervalInMillis, Date firstRunTime) {
        return new Schedule(new IntervalScheduleInfo(firstRunTime, intervalInMillis));
    }

    public IntervalScheduleInfo getIntervalScheduleInfo() {
        return intervalScheduleInfo;
    }
}
