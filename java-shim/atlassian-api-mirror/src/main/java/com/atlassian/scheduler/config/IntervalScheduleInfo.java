/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.config.IntervalScheduleInfo as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/config/IntervalScheduleInfo.html
 * Evidence read: not found in code read here
 * Status: INFERRED (from memory; verify). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler.config;

import java.util.Date;

/** The interval part of a Schedule. */
public final class IntervalScheduleInfo {
    private final Date firstRunTime;
    private final long intervalInMillis;

    public IntervalScheduleInfo(Date firstRunTime, long intervalInMillis) {
        this.firstRunTime = firstRunTime == null ? null : new Date(firstRunTime.getTime());
        this.intervalInMillis = intervalInMillis;
    }

    public Date getFirstRunTime() {
        return firstRunTime == null ? null : new Date(firstRunTime.getTime());
    }

    public long getIntervalInMillis() {
        return intervalInMillis;
    }
}
