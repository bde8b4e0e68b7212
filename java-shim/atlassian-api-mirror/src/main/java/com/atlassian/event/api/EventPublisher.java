/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.event.api.EventPublisher as published for atlassian-event 5 on Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-event/latest/com/atlassian/event/api/EventPublisher.html
 * Evidence read: atlassian-labs/atlassian-slack-integration-server (eventPublisher.register/unregister/publish)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.event.api;

/** The product's event bus. */
public interface EventPublisher {
    void publish(Object event);

    void register(Object listener);

    void unregister(Object listener);
}
