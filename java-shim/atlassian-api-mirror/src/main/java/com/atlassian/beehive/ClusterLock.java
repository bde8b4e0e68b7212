/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.beehive.ClusterLock as published for beehive-api on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/beehive-api/latest/com/atlassian/beehive/ClusterLock.html
 * Evidence read: as ClusterLockService: used as java.util.concurrent.locks.Lock (lock, tryLock, tryLock(long, TimeUnit), unlock)
 * Status: confirmed (extends Lock); extra members of the real interface are not mirrored. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.beehive;

import java.util.concurrent.locks.Lock;

/** A lock held across the cluster. */
public interface ClusterLock extends Lock {
}
