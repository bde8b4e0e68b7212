/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.auth.LoginUriProvider as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/auth/LoginUriProvider.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (loginUriProvider.getLoginUri(..)); public plugin servlets (find_string)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.auth;

import java.net.URI;

/** Where to send an anonymous admin so they log in and come back. */
public interface LoginUriProvider {
    URI getLoginUri(URI returnUri);
}
