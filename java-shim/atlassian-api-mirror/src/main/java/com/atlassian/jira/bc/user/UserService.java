/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.user.UserService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/user/UserService.html
 * Evidence read: docs.atlassian.com/jira/server/com/atlassian/jira/bc/user/UserService.html (latest server javadoc in the docs corpus); Jira DefaultUserService source in the code index (6.x line: validateUpdateUser vetoes, new XxxValidationResult(errors)); public scripts: newUserBuilder + validateUpdateUser + updateUser, validateDeleteUser(ApplicationUser, ApplicationUser)
 * Evidence (CreateUserRequest): docs.atlassian.com/jira/latest/com/atlassian/jira/bc/user/UserService.CreateUserRequest.html (public static final class;
 *   inDirectory(Long), getDirectoryId(), getUsername(), getPassword(), getEmailAddress(), getDisplayName(), getLoggedInUser());
 *   a Jira admin script (CreateUserRequest.withUserDetails(..).performPermissionCheck(true).sendNotification(false))
 * Status: confirmed (methods, (ErrorCollection) constructors of the results, CreateUserRequest members); only shouldSendNotification() INFERRED (not called by the shim). Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.user;

import com.atlassian.jira.bc.ServiceResultImpl;
import com.atlassian.jira.exception.CreateException;
import com.atlassian.jira.exception.PermissionException;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.util.ErrorCollection;

/**
 * Jira's permission-checked user service. Every change is validate-then-act; the validation runs as the
 * user in JiraAuthenticationContext (or the loggedInUser argument) and its errors carry the veto.
 */
public interface UserService {
    ApplicationUserBuilder newUserBuilder(ApplicationUser user);

    UpdateUserValidationResult validateUpdateUser(ApplicationUser user);

    void updateUser(UpdateUserValidationResult updateUserValidationResult);

    DeleteUserValidationResult validateDeleteUser(ApplicationUser loggedInUser, ApplicationUser userForDelete);

    void removeUser(ApplicationUser loggedInUser, DeleteUserValidationResult result);

    CreateUserValidationResult validateCreateUser(CreateUserRequest createUserRequest);

    ApplicationUser createUser(CreateUserValidationResult createUserValidationResult)
            throws PermissionException, CreateException;

    /** Result of validateUpdateUser. Only UserService creates real ones. */
    class UpdateUserValidationResult extends ServiceResultImpl {
        public UpdateUserValidationResult(ErrorCollection errorCollection) {
            super(errorCollection);
        }
    }

    /** Result of validateDeleteUser; its errors are the delete veto. */
    class DeleteUserValidationResult extends ServiceResultImpl {
        public DeleteUserValidationResult(ErrorCollection errorCollection) {
            super(errorCollection);
        }
    }

    /** Result of validateCreateUser. */
    class CreateUserValidationResult extends ServiceResultImpl {
        public CreateUserValidationResult(ErrorCollection errorCollection) {
            super(errorCollection);
        }
    }

    /** What to create; minimal working builder so fakes can read it. */
    final class CreateUserRequest {
        private final ApplicationUser loggedInUser;
        private final String username;
        private final String password;
        private final String emailAddress;
        private final String displayName;
        private Long directoryId;
        private boolean sendNotification;

        private CreateUserRequest(ApplicationUser loggedInUser, String username, String password, String emailAddress,
                String displayName) {
            this.loggedInUser = loggedInUser;
            this.username = username;
            this.password = password;
            this.emailAddress = emailAddress;
            this.displayName = displayName;
        }

        public static CreateUserRequest withUserDetails(ApplicationUser loggedInUser, String username, String password,
                String emailAddress, String displayName) {
            return new CreateUserRequest(loggedInUser, username, password, emailAddress, displayName);
        }

        public CreateUserRequest inDirectory(Long directoryId) {
            this.directoryId = directoryId;
            return this;
        }

        public CreateUserRequest sendNotification(boolean sendNotification) {
            this.sendNotification = sendNotification;
            return this;
        }

        public ApplicationUser getLoggedInUser() {
            return loggedInUser;
        }

        public String getUsername() {
            return username;
        }

        public String getPassword() {
            return password;
        }

        public String getEmailAddress() {
            return emailAddress;
        }

        public String getDisplayName() {
            return displayName;
        }

        public Long getDirectoryId() {
            return directoryId;
        }

        public boolean shouldSendNotification() {
            return sendNotification;
        }
    }
}
