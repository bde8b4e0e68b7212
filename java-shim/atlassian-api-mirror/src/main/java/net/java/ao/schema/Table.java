/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors net.java.ao.schema.Table as published for Active Objects bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-activeobjects/latest/
 * Evidence read: atlassian-labs/atlassian-slack-integration-server@0664226^ (ao.create(Class, DBParam...), ao.find(Class, Query), ao.get, ao.delete(entity), ao.deleteWithSQL, ao.count; Query.select().where(..).order(..); @Table, @StringLength(StringLength.UNLIMITED), @Indexed, @NotNull)
 * Status: confirmed (annotation and use). Only the members the shim calls; see docs/atlassian-api.md.
 */
package net.java.ao.schema;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Names the table of an entity (AO prefixes it with the plugin's hash). */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Table {
    String value();
}
