/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.search.EntityDescriptor as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/search/EntityDescriptor.html
 * Evidence read: Crowd QueryBuilder source and Confluence DefaultUserAccessor (EntityDescriptor.user(), EntityDescriptor.group())
 * Status: confirmed (static user(), group()). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.search;

/** What a Crowd query looks for. */
public final class EntityDescriptor {
    private static final EntityDescriptor USER = new EntityDescriptor("USER");
    private static final EntityDescriptor GROUP = new EntityDescriptor("GROUP");
    private final String entityType;

    private EntityDescriptor(String entityType) {
        this.entityType = entityType;
    }

    public static EntityDescriptor user() {
        return USER;
    }

    public static EntityDescriptor group() {
        return GROUP;
    }

    @Override
    public String toString() {
        return entityType;
    }
}
