/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.xsrf.XsrfTokenAccessor as published on Atlassian Platform 8
 *   (Jira 11.x / Confluence 10.x Data Center): Platform 7's SAL signature with the jakarta servlet types (RFC-77).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/xsrf/XsrfTokenAccessor.html
 * Evidence read: RFC-77 (every javax servlet type becomes jakarta); no Platform 8 caller read.
 * Status: INFERRED (parameter types). Only the members the shim calls; see docs/atlassian-api.md and docs/platform-8.md.
 */
package com.atlassian.sal.api.xsrf;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** Reads (or creates) the XSRF token the UI must echo back. */
public interface XsrfTokenAccessor {
    String getXsrfToken(HttpServletRequest request, HttpServletResponse response, boolean create);
}
