/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.pluginsettings.PluginSettings as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/pluginsettings/PluginSettings.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (get/put); many plugins (pluginSettings.remove(key))
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.pluginsettings;

/** Key/value settings; values are String, List of String or Map of String to String. */
public interface PluginSettings {
    Object get(String key);

    Object put(String key, Object value);

    Object remove(String key);
}
