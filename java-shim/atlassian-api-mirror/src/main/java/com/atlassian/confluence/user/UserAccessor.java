/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.confluence.user.UserAccessor as published for Confluence 9.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/ConfluenceServer/javadoc/9.0.3/com/atlassian/confluence/user/UserAccessor.html
 * Evidence read: Confluence DefaultUserAccessor (decompiled, recent 8.x/9.x line, code index id 41941932432) and PersonServiceImpl (id 42467111741)
 * Status: signatures confirmed on DefaultUserAccessor / PersonServiceImpl (which use the UserAccessorInternal
 * subtype). Declared on the public UserAccessor per plugin code: getUserByName, isDeactivated, reactivateUser
 * (Confluence remote-API plugin, admin scripts), getGroupNamesForUserName (Slack plugin @ Confluence 9.0.3) and
 * saveUser(User) (CAS authenticator and profile plugins: userAccessor.saveUser(user); older Confluence lines);
 * for the other members that is INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.confluence.user;

import com.atlassian.sal.api.user.UserKey;
import com.atlassian.user.EntityException;
import com.atlassian.user.Group;
import com.atlassian.user.User;
import com.atlassian.user.security.password.Credential;
import java.util.List;

/**
 * Confluence's permission-checked user service. Writes check the thread's AuthenticatedUserThreadLocal user
 * and throw an unchecked InsufficientPrivilegeException when it may not act.
 */
public interface UserAccessor {
    ConfluenceUser getUserByName(String name);

    ConfluenceUser getUserByKey(UserKey key);

    boolean isDeactivated(String username);

    boolean isDeactivated(User user);

    void deactivateUser(User user);

    void reactivateUser(User user);

    ConfluenceUser renameUser(ConfluenceUser user, String newUsername) throws EntityException;

    boolean isUserRemovable(User user) throws EntityException;

    void removeUser(User user);

    ConfluenceUser createUser(User userTemplate, Credential credential);

    boolean isReadOnly(User user);

    boolean isReadOnly(Group group);

    Group getGroup(String name);

    Group createGroup(String groupname);

    void removeGroup(Group group);

    void addMembership(Group group, User user);

    boolean removeMembership(Group group, User user);

    List<String> getGroupNamesForUserName(String userName);

    List<String> getMemberNamesAsList(Group group);

    boolean isSuperUser(User user);

    int countLicenseConsumingUsers();

    boolean isLicensedToAddMoreUsers();

    /** Saves a changed full name / email (checked against AuthenticatedUserThreadLocal). */
    void saveUser(User user);
}
