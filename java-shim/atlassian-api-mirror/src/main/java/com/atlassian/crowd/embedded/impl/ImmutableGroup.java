/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.impl.ImmutableGroup as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/impl/ImmutableGroup.html
 * Evidence read: Jira REST group resource (find_string id 17975817630: new ImmutableGroup(groupName) passed to crowdService.removeUserFromGroup)
 * Status: confirmed (constructor). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.impl;

import com.atlassian.crowd.embedded.api.Group;
import java.util.Objects;

/** Group value used to name a group in CrowdService calls. Minimal value semantics. */
public final class ImmutableGroup implements Group {
    private final String name;

    public ImmutableGroup(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Group && ((Group) o).getName().equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }
}
