/**
 * The Confluence Data Center side of the plugin: the {@link io.seatwarden.bridge.Host} over
 * Confluence's user services and the acting-user helper its permission checks need.
 *
 * <p>Confluence's {@code UserAccessor} checks every write against the user in {@code
 * AuthenticatedUserThreadLocal} and swallows some failures, so writes run as the automation account
 * ({@link io.seatwarden.confluence.ConfluenceActingUser}) and the adapter re-reads what it changed.
 * Confluence records no login count (the engine then applies its documented fallback) and has no
 * issues to hand over.
 */
package io.seatwarden.confluence;
