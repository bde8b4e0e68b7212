/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.lifecycle.LifecycleAware as published for SAL bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/lifecycle/LifecycleAware.html
 * Evidence read: public Jira plugin (UsersCFExtensionDemoServiceImpl: implements LifecycleAware with onStart() and onStop(), exported as an OSGi service of that interface)
 * Status: confirmed (interface, onStart(), onStop()). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.lifecycle;

/**
 * Exported as an OSGi service by a plugin: SAL calls onStart once the product has started and the
 * plugin is enabled, and onStop when the plugin is disabled or the product stops.
 */
public interface LifecycleAware {
    void onStart();

    void onStop();
}
