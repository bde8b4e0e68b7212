/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.websudo.WebSudoManager as published on Atlassian Platform 8
 *   (Jira 11.x / Confluence 10.x Data Center): Platform 7's SAL signature with the jakarta servlet types (RFC-77).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/websudo/WebSudoManager.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server at 94c50dce (platform.version 8.0.0, Jira 11.0.0 / Confluence 10.0.1),
 *   slack-server-integration-common/.../admin/ConfigureServlet.java: willExecuteWebSudoRequest / enforceWebSudoProtection called with
 *   jakarta.servlet.http.HttpServletRequest / HttpServletResponse
 * Status: confirmed for willExecuteWebSudoRequest and enforceWebSudoProtection; canExecuteRequest INFERRED (same interface, same parameter type).
 *   Only the members the shim calls; see docs/atlassian-api.md and docs/platform-8.md.
 */
package com.atlassian.sal.api.websudo;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Secure administrator sessions ("websudo"). */
public interface WebSudoManager {
    boolean canExecuteRequest(HttpServletRequest request);

    void enforceWebSudoProtection(HttpServletRequest request, HttpServletResponse response);

    void willExecuteWebSudoRequest(HttpServletRequest request) throws WebSudoSessionException;
}
