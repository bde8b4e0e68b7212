/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.user.ApplicationUserBuilder as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/user/ApplicationUserBuilder.html
 * Evidence read: import com.atlassian.jira.bc.user.ApplicationUserBuilder (Jira sources in the code index); scripts: newUserBuilder(u).active(false).build(), .name(..), .displayName(..), .emailAddress(..)
 * Status: confirmed (package, methods); interface-ness INFERRED (matters: invokeinterface). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.user;

import com.atlassian.jira.user.ApplicationUser;

/** Copy of a user with changed fields, to pass to UserService.validateUpdateUser. */
public interface ApplicationUserBuilder {
    ApplicationUserBuilder active(boolean active);

    ApplicationUserBuilder name(String name);

    ApplicationUserBuilder displayName(String displayName);

    ApplicationUserBuilder emailAddress(String emailAddress);

    ApplicationUser build();
}
