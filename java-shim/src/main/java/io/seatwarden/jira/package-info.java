/**
 * The Jira Data Center side of the plugin: the {@link io.seatwarden.bridge.Host} over Jira's
 * services and the acting-user helper that Jira's permission checks need.
 *
 * <p>Every write goes through the same validate-then-act services Jira's own admin screens use
 * ({@code UserService}, {@code GroupService}, {@code IssueService}), run as the automation account
 * ({@link io.seatwarden.jira.JiraActingUser}), so Jira's vetoes (a project lead, a user with
 * issues, a read-only directory) arrive as typed failures instead of being bypassed. Jira caches
 * its licence counts; {@link io.seatwarden.jira.JiraLicenceCounts} flushes that cache once per
 * batch of licence-changing writes so the next seat figures are fresh.
 */
package io.seatwarden.jira;
