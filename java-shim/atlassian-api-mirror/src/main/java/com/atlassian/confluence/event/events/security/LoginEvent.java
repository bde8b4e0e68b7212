/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.event.events.security.LoginEvent as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/event/events/security/LoginEvent.html
 * Evidence read: Gravatar plugin for Confluence (@EventListener loginEvent(LoginEvent event) { event.getUsername() }); SSO authenticators publishing LoginEvent
 * Status: type and getUsername() confirmed; constructor INFERRED (changed across versions; only fakes construct it). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.event.events.security;

/** Fired by Confluence after a successful login. */
public class LoginEvent extends SecurityEvent {
    public LoginEvent(Object src, String username, String sessionId, String remoteHost, String remoteIP) {
        super(src, username, sessionId, remoteHost, remoteIP);
    }
}
