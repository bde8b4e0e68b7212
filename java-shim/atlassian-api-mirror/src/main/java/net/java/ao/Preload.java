/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors net.java.ao.Preload as published for Active Objects bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://javadoc.io/doc/net.java.dev.activeobjects/activeobjects/6.0.0-m06 (Preload: "the primary mechanism ... to
 *   override its lazy-loading"), as quoted by the plugin review (docs/plugin.md).
 * Evidence read: decompiled and original EntityManager.find(Class, String, Query) sources in the code index, which read
 *   type.getAnnotation(Preload.class) and compare its value() with Preload.ALL ("*"); PreloadTest (net.java.ao.it.query).
 * Status: the annotation's use on the entity type, value() and ALL confirmed; RUNTIME retention and TYPE target INFERRED
 *   (required for EntityManager's getAnnotation to see it). See docs/atlassian-api.md.
 */
package net.java.ao;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** The columns Active Objects selects with an entity instead of loading them one getter at a time. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Preload {
    /** Every column. */
    String ALL = "*";

    String[] value() default {ALL};
}
