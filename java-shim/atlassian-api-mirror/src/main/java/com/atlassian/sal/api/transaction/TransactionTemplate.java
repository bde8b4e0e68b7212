/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.transaction.TransactionTemplate as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/transaction/TransactionTemplate.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server at 5f382c8c (Confluence 9.0.3 build):
 *   confluence-slack-server-integration-plugin/.../spacetochannel/service/DefaultSlackSpaceToChannelService.java imports it and
 *   calls transactionTemplate.execute(() -> ...); com.atlassian.sal.api.transaction is in the Jira plugin's Import-Package list.
 * Status: execute(TransactionCallback) confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.transaction;

/** Runs a callback in the host product's transaction (and, in Confluence, its session and request context). */
public interface TransactionTemplate {
    <T> T execute(TransactionCallback<T> action);
}
