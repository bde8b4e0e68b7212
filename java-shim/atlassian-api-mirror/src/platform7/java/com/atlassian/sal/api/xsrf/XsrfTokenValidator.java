/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.xsrf.XsrfTokenValidator as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/xsrf/XsrfTokenValidator.html
 * Evidence read: Atlassian application-links servlets (decompiled, find_string): validateFormEncodedToken(request), getXsrfParameterName()
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.xsrf;

import javax.servlet.http.HttpServletRequest;

/** Checks the XSRF token of a form-encoded state-changing request. */
public interface XsrfTokenValidator {
    boolean validateFormEncodedToken(HttpServletRequest request);

    String getXsrfParameterName();
}
