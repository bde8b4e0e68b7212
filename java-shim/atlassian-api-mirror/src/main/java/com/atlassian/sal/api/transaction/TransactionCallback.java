/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.transaction.TransactionCallback as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/transaction/TransactionCallback.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (transactionTemplate.execute(() -> ...), ao.executeInTransaction(() -> ...))
 * Used only as the parameter of ActiveObjects.executeInTransaction (SAL's TransactionTemplate is not used).
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.transaction;

/** Work run inside a product transaction. */
public interface TransactionCallback<T> {
    T doInTransaction();
}
