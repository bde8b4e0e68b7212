/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.exception.InactiveAccountException as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/exception/InactiveAccountException.html
 * Evidence read: Crowd source of InactiveAccountException (code corpus): extends FailedAuthenticationException, constructor (String name), getName()
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.exception;

/**
 * The account is inactive. NOTE: the internal directory throws this BEFORE it checks the
 * password, so it says nothing about whether the credential was right (docs/login-reactivation.md).
 */
public class InactiveAccountException extends FailedAuthenticationException {
    private static final long serialVersionUID = 1L;
    private final String name;

    public InactiveAccountException(String name) {
        super("Account with name <" + name + "> is inactive");
        this.name = name;
    }

    public String getName() {
        return name;
    }
}
