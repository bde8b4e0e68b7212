/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.model.user.TimestampedUser as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/6.1.1/com/atlassian/crowd/model/user/TimestampedUser.html
 * Evidence read: that javadoc page (an interface; Date getCreatedDate() inherited from com.atlassian.crowd.model.TimestampedEntity;
 *   "not supported for LDAP"); Confluence 5.x CachedCrowdUser javadoc (Date getCreatedDate()); decompiled Confluence code
 *   (user instanceof TimestampedUser, then getCreatedDate())
 * Status: confirmed. The real interface extends com.atlassian.crowd.model.user.User and TimestampedEntity; the mirror
 *   declares getCreatedDate() directly (invokeinterface resolves it through the superinterface) and extends the
 *   embedded User only, which is what the real one extends in the end. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.model.user;

import java.util.Date;

/** A directory user that records when it was created (internal users; not LDAP). */
public interface TimestampedUser extends com.atlassian.crowd.embedded.api.User {
    Date getCreatedDate();
}
