/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.search.query.entity.EntityQuery as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/search/query/entity/EntityQuery.html
 * Evidence read: Crowd QueryBuilder source (returningAtMost returns EntityQuery<T>; EntityQuery.ALL_RESULTS)
 * Status: confirmed (type, ALL_RESULTS); getters INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.search.query.entity;

import com.atlassian.crowd.embedded.api.Query;
import com.atlassian.crowd.search.EntityDescriptor;

/** A paged search for users or groups. Only QueryBuilder creates these. */
public abstract class EntityQuery<T> implements Query<T> {
    public static final int ALL_RESULTS = -1;
    private final Class<T> returnType;
    private final EntityDescriptor entityDescriptor;
    private final int startIndex;
    private final int maxResults;

    protected EntityQuery(Class<T> returnType, EntityDescriptor entityDescriptor, int startIndex, int maxResults) {
        this.returnType = returnType;
        this.entityDescriptor = entityDescriptor;
        this.startIndex = startIndex;
        this.maxResults = maxResults;
    }

    public Class<T> getReturnType() {
        return returnType;
    }

    public EntityDescriptor getEntityDescriptor() {
        return entityDescriptor;
    }

    public int getStartIndex() {
        return startIndex;
    }

    public int getMaxResults() {
        return maxResults;
    }
}
