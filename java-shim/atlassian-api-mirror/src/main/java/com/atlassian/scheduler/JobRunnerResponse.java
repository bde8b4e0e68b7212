/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.scheduler.JobRunnerResponse as published for atlassian-scheduler on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-scheduler/latest/com/atlassian/scheduler/JobRunnerResponse.html
 * Evidence read: many plugins (JobRunnerResponse.success(), success(String), failed(String), failed(Throwable), aborted(String)) via find_string
 * Status: confirmed (factories; the real class is final, its state is not mirrored). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.scheduler;

/** Outcome of one run. Real class is final with private state; factories only here. */
public final class JobRunnerResponse {
    private final String outcome;
    private final String message;

    private JobRunnerResponse(String outcome, String message) {
        this.outcome = outcome;
        this.message = message;
    }

    public static JobRunnerResponse success() {
        return new JobRunnerResponse("SUCCESS", null);
    }

    public static JobRunnerResponse success(String message) {
        return new JobRunnerResponse("SUCCESS", message);
    }

    public static JobRunnerResponse failed(String message) {
        return new JobRunnerResponse("FAILED", message);
    }

    public static JobRunnerResponse failed(Throwable cause) {
        return new JobRunnerResponse("FAILED", String.valueOf(cause));
    }

    public static JobRunnerResponse aborted(String message) {
        return new JobRunnerResponse("ABORTED", message);
    }

    public String getMessage() {
        return message;
    }

    @Override
    public String toString() {
        return outcome + (message == null ? "" : ": " + message);
    }
}
