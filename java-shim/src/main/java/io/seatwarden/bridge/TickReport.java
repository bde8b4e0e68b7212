package io.seatwarden.bridge;

import java.util.List;

/**
 * What one {@link Seatwarden#tick} did, for the job's log.
 *
 * @param runs runs started for due policies
 * @param resumed interrupted runs resumed
 * @param skippedLeased due policies another node is running
 * @param purgedEntries audit entries removed by retention
 * @param mailsQueued warning and alert mails queued
 * @param loginChecksRepaired password checks left open by a node that died, closed by this tick
 *     (the account deactivated again where needed; see {@code docs/login-reactivation.md})
 */
public record TickReport(
    List<Long> runs,
    List<Long> resumed,
    long skippedLeased,
    long purgedEntries,
    long mailsQueued,
    long loginChecksRepaired) {}
