/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.crowd.embedded.api.CrowdService as published for embedded Crowd API bundled in Atlassian Platform 7 (Jira 10.x / Confluence 9.x Data Center).
 * Javadoc: https://docs.atlassian.com/atlassian-crowd/latest/com/atlassian/crowd/embedded/api/CrowdService.html
 * Evidence read: Confluence TransactionalCrowdServiceWrapper implements UnfilteredCrowdService (decompiled, find_string id 41817322461): full CrowdService signatures with exception packages
 * Evidence read (getUserWithAttributes): CrowdService source, "@return user entity with attributes or null if the user is not found" (code index, file id 37118478670)
 * Status: confirmed. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.crowd.embedded.api;

import com.atlassian.crowd.exception.FailedAuthenticationException;
import com.atlassian.crowd.exception.OperationNotPermittedException;
import com.atlassian.crowd.exception.embedded.InvalidGroupException;
import com.atlassian.crowd.exception.runtime.GroupNotFoundException;
import com.atlassian.crowd.exception.runtime.OperationFailedException;
import com.atlassian.crowd.exception.runtime.UserNotFoundException;

/** The product's embedded Crowd: users, groups, memberships across all directories. */
public interface CrowdService {
    User authenticate(String name, String credential) throws FailedAuthenticationException, OperationFailedException;

    User getUser(String name);

    /** The user with its attributes, or {@code null} if there is no such user. */
    UserWithAttributes getUserWithAttributes(String name);

    Group getGroup(String name);

    <T> Iterable<T> search(Query<T> query);

    boolean isUserMemberOfGroup(String userName, String groupName);

    Group addGroup(Group group) throws InvalidGroupException, OperationNotPermittedException, OperationFailedException;

    boolean removeGroup(Group group) throws OperationNotPermittedException, OperationFailedException;

    boolean addUserToGroup(User user, Group group)
            throws GroupNotFoundException, UserNotFoundException, OperationNotPermittedException, OperationFailedException;

    boolean removeUserFromGroup(User user, Group group)
            throws GroupNotFoundException, UserNotFoundException, OperationNotPermittedException, OperationFailedException;

    boolean isUserDirectGroupMember(User user, Group group) throws OperationFailedException;
}
