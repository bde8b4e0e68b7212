/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.plugin.event.events.PluginFrameworkShuttingDownEvent as published for Atlassian Plugins bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-plugins/latest/com/atlassian/plugin/event/events/PluginFrameworkShuttingDownEvent.html
 * Evidence read: decompiled Atlassian audit plugin (OsgiServiceSupplier: @EventListener onPluginFrameworkShuttingDown(PluginFrameworkShuttingDownEvent) registered via EventPublisher); Jira's own scheduler-compat code importing it
 * Status: confirmed (class name and package; used only as a listener parameter type). Its parent class and constructor are not mirrored; the constructor here exists for fakes only (INFERRED). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.plugin.event.events;

/** Published when the plugin framework (the whole product) starts shutting down. */
public class PluginFrameworkShuttingDownEvent {
    public PluginFrameworkShuttingDownEvent() {
    }
}
