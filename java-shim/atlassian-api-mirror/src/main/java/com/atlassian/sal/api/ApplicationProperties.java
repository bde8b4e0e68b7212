/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.ApplicationProperties as published for SAL bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/ApplicationProperties.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (Jira 10.7 line): applicationProperties.getBaseUrl(UrlMode.CANONICAL) / (UrlMode.ABSOLUTE); getDisplayName() from SAL's published interface
 * getLocalHomeDirectory(): "@Nonnull Optional<Path> getLocalHomeDirectory()", specified by this interface, in the SAL
 *   implementations' javadoc: https://docs.atlassian.com/atlassian-crowd/6.1.1/com/atlassian/crowd/service/sal/CrowdApplicationProperties.html
 *   and https://docs.atlassian.com/atlassian-bamboo/10.0.1/com/atlassian/sal/bamboo/BambooApplicationProperties.html
 * Status: getBaseUrl(UrlMode) confirmed; getLocalHomeDirectory() confirmed on the interface (Jira's and Confluence's
 *   implementations not read: INFERRED non-empty); getDisplayName() INFERRED (not seen called on the SAL type here).
 *   Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api;

import java.nio.file.Path;
import java.util.Optional;

/** The host application's name and URLs. */
public interface ApplicationProperties {
    String getBaseUrl(UrlMode urlMode);

    String getDisplayName();

    /** The node's local home directory (never shared between cluster nodes), if the product has one. */
    Optional<Path> getLocalHomeDirectory();
}
