/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.ApplicationProperties as published for SAL bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/ApplicationProperties.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (Jira 10.7 line): applicationProperties.getBaseUrl(UrlMode.CANONICAL) / (UrlMode.ABSOLUTE); getDisplayName() from SAL's published interface
 * Status: getBaseUrl(UrlMode) confirmed; getDisplayName() INFERRED (not seen called on the SAL type here). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api;

/** The host application's name and URLs. */
public interface ApplicationProperties {
    String getBaseUrl(UrlMode urlMode);

    String getDisplayName();
}
