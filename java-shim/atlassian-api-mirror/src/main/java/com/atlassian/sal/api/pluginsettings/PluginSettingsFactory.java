/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.pluginsettings.PluginSettingsFactory as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/pluginsettings/PluginSettingsFactory.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (PluginSettingsFactory import, createSettingsForKey)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.pluginsettings;

/** Entry point to key/value settings stored by the product. */
public interface PluginSettingsFactory {
    PluginSettings createGlobalSettings();

    PluginSettings createSettingsForKey(String key);
}
