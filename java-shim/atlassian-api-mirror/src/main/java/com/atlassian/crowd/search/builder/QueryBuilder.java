/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.search.builder.QueryBuilder as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/search/builder/QueryBuilder.html
 * Evidence read: Crowd QueryBuilder source in the code index (find_string ids 37111291775, 41638137605): queryFor -> PartialEntityQuery -> startingAt -> PartialEntityQueryWithStartIndex -> returningAtMost -> EntityQuery
 * Status: confirmed (the chain used; restrictions and membership queries not mirrored). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.search.builder;

import com.atlassian.crowd.search.EntityDescriptor;
import com.atlassian.crowd.search.query.entity.EntityQuery;

/** Fluent builder of Crowd searches; only the paging chain is mirrored. */
public final class QueryBuilder {
    private QueryBuilder() {
    }

    public static <T> PartialEntityQuery<T> queryFor(Class<T> returnType, EntityDescriptor entity) {
        return new PartialEntityQuery<>(returnType, entity);
    }

    private static <T> EntityQuery<T> build(Class<T> returnType, EntityDescriptor entity, int startIndex, int maxResults) {
        return new EntityQuery<T>(returnType, entity, startIndex, maxResults) {
        };
    }

    /** First step of a query: what to return. */
    public static class PartialEntityQuery<T> {
        private final Class<T> returnType;
        private final EntityDescriptor entity;

        public PartialEntityQuery(Class<T> returnType, EntityDescriptor entity) {
            this.returnType = returnType;
            this.entity = entity;
        }

        public PartialEntityQueryWithStartIndex<T> startingAt(int index) {
            return new PartialEntityQueryWithStartIndex<>(returnType, entity, index);
        }

        public EntityQuery<T> returningAtMost(int maxResults) {
            return build(returnType, entity, 0, maxResults);
        }
    }

    /** A query with its first index chosen. */
    public static class PartialEntityQueryWithStartIndex<T> {
        private final Class<T> returnType;
        private final EntityDescriptor entity;
        private final int startIndex;

        PartialEntityQueryWithStartIndex(Class<T> returnType, EntityDescriptor entity, int startIndex) {
            this.returnType = returnType;
            this.entity = entity;
            this.startIndex = startIndex;
        }

        public EntityQuery<T> returningAtMost(int maxResults) {
            return build(returnType, entity, startIndex, maxResults);
        }
    }
}
