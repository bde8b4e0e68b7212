/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.sal.api.websudo.WebSudoSessionException as published for SAL 6 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/sal-api/latest/com/atlassian/sal/api/websudo/WebSudoSessionException.html
 * Evidence read: public plugin servlets catching WebSudoSessionException around willExecuteWebSudoRequest (find_string)
 * Status: confirmed (checked exception, name and package). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.sal.api.websudo;

/** Thrown when a request needs a websudo session that is not there. */
public class WebSudoSessionException extends Exception {
    private static final long serialVersionUID = 1L;

    public WebSudoSessionException(String message) {
        super(message);
    }
}
