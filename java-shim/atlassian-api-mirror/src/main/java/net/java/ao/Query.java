/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors net.java.ao.Query as published for Active Objects bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-activeobjects/latest/
 * Evidence read: atlassian-labs/atlassian-slack-integration-server@0664226^ (ao.create(Class, DBParam...), ao.find(Class, Query), ao.get, ao.delete(entity), ao.deleteWithSQL, ao.count; Query.select().where(..).order(..); @Table, @StringLength(StringLength.UNLIMITED), @Indexed, @NotNull)
 * Status: confirmed (select(), where(String, Object...), order(String)); limit/offset and getters INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package net.java.ao;

import java.util.Arrays;

/** A select over one entity table. Minimal working builder so fakes can read the clause. */
public class Query {
    private String whereClause;
    private Object[] whereParams = new Object[0];
    private String orderClause;
    private int limit = -1;
    private int offset = -1;

    protected Query() {
    }

    public static Query select() {
        return new Query();
    }

    public Query where(String clause, Object... params) {
        this.whereClause = clause;
        this.whereParams = params == null ? new Object[0] : Arrays.copyOf(params, params.length);
        return this;
    }

    public Query order(String clause) {
        this.orderClause = clause;
        return this;
    }

    public Query limit(int limit) {
        this.limit = limit;
        return this;
    }

    public Query offset(int offset) {
        this.offset = offset;
        return this;
    }

    public String getWhereClause() {
        return whereClause;
    }

    public Object[] getWhereParams() {
        return Arrays.copyOf(whereParams, whereParams.length);
    }

    public String getOrderClause() {
        return orderClause;
    }

    public int getLimit() {
        return limit;
    }

    public int getOffset() {
        return offset;
    }
}
