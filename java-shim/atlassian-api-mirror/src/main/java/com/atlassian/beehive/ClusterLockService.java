/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.beehive.ClusterLockService as published for beehive-api on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/beehive-api/latest/com/atlassian/beehive/ClusterLockService.html
 * Evidence read: Atlassian Active Objects and SAL upgrade code, Jira DVCS plugin (clusterLockService.getLockForName(name), lock.tryLock(long, TimeUnit)) via find_string
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.beehive;

/** Hands out cluster-wide locks by name (database-backed on Data Center). */
public interface ClusterLockService {
    ClusterLock getLockForName(String lockName);
}
