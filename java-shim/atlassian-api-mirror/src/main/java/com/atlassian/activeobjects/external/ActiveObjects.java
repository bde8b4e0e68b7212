/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.activeobjects.external.ActiveObjects as published for Active Objects bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-activeobjects/latest/com/atlassian/activeobjects/external/ActiveObjects.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server@0664226^ (ao.create(Class, DBParam...), ao.find(Class, Query), ao.get, ao.delete(entity), ao.deleteWithSQL, ao.count; Query.select().where(..).order(..); @Table, @StringLength(StringLength.UNLIMITED), @Indexed, @NotNull)
 * Status: confirmed (method names and use); exact generic bounds INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.activeobjects.external;

import com.atlassian.sal.api.transaction.TransactionCallback;
import net.java.ao.DBParam;
import net.java.ao.Query;
import net.java.ao.RawEntity;

/** The plugin's tables in the product database (one AO namespace per plugin). */
public interface ActiveObjects {
    <T extends RawEntity<K>, K> T create(Class<T> type, DBParam... params);

    <T extends RawEntity<K>, K> T get(Class<T> type, K key);

    <T extends RawEntity<K>, K> T[] find(Class<T> type, Query query);

    <K> int count(Class<? extends RawEntity<K>> type, Query query);

    void delete(RawEntity<?>... entities);

    <K> int deleteWithSQL(Class<? extends RawEntity<K>> type, String criteria, Object... parameters);

    <T> T executeInTransaction(TransactionCallback<T> callback);
}
