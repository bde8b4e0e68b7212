/**
 * What the Jira and the Confluence host adapters share.
 *
 * <p>Both products embed the same Crowd user directories, so directory capabilities, paging through
 * every user with a stable cursor, and reading an account's creation time are written once here
 * ({@link io.seatwarden.product.CrowdDirectories}, {@link io.seatwarden.product.CrowdUserPager}).
 * Both products also check the caller's permissions against a thread-local acting user: {@link
 * io.seatwarden.product.ActingUser} is the contract of the per-product helpers that run a block as
 * the automation account and always restore the previous user. {@link
 * io.seatwarden.product.Failures} and {@link io.seatwarden.product.Redaction} turn product failures
 * into typed results whose text carries no personal data, because it reaches the audit log.
 */
package io.seatwarden.product;
