/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.event.events.security.SecurityEvent as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/event/events/security/SecurityEvent.html
 * Evidence read: from memory (LoginEvent extends SecurityEvent; getUsername, getSessionId, getRemoteHost, getRemoteIP)
 * Status: getUsername confirmed through LoginEvent; the class name of the parent and the other getters INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.event.events.security;

/** Base of Confluence login/logout events. */
public abstract class SecurityEvent {
    private final String username;
    private final String sessionId;
    private final String remoteHost;
    private final String remoteIP;

    protected SecurityEvent(Object src, String username, String sessionId, String remoteHost, String remoteIP) {
        this.username = username;
        this.sessionId = sessionId;
        this.remoteHost = remoteHost;
        this.remoteIP = remoteIP;
    }

    public String getUsername() {
        return username;
    }

    public String getSessionId() {
        return sessionId;
    }

    public String getRemoteHost() {
        return remoteHost;
    }

    public String getRemoteIP() {
        return remoteIP;
    }
}
