/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.transaction.TransactionTemplate as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/transaction/TransactionTemplate.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (transactionTemplate.execute)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.transaction;

/** Runs a callback in a transaction of the product's database. */
public interface TransactionTemplate {
    <T> T execute(TransactionCallback<T> action);
}
