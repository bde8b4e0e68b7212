/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.application.api.ApplicationKey as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/atlassian-application/latest/com/atlassian/application/api/ApplicationKey.html
 * Evidence read: Jira DefaultApplicationRoleManager javadoc 7.0.8 (docs corpus) uses com.atlassian.application.api.ApplicationKey; Prometheus exporter plugin (getUserCount(application.getKey()))
 * Status: confirmed (type, package); valueOf/value INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.application.api;

import java.util.Objects;

/** Key of a Jira application (jira-software, jira-servicedesk, jira-core). Minimal value semantics. */
public final class ApplicationKey {
    private final String key;

    private ApplicationKey(String key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    public static ApplicationKey valueOf(String key) {
        return new ApplicationKey(key);
    }

    public String value() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ApplicationKey && ((ApplicationKey) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode();
    }

    @Override
    public String toString() {
        return key;
    }
}
