/*
 * Compile-only mirror for Seatwarden: NOT Atlassian's class, never packaged in the plugin.
 * Mirrors com.atlassian.jira.bc.issue.IssueService as published for Jira 10.x Data Center (Platform 7).
 * Javadoc: https://docs.atlassian.com/software/jira/docs/api/10.0.0/com/atlassian/jira/bc/issue/IssueService.html
 * Evidence read: plugins: IssueService.AssignValidationResult r = issueService.validateAssign(user, issue.getId(), assigneeName or null); issueService.assign(user, r) (find_string, many hits)
 * Status: confirmed (validateAssign(ApplicationUser, Long, String), assign, nested result types); nested constructors INFERRED. Only the members the shim calls; see docs/atlassian-api.md.
 */
package com.atlassian.jira.bc.issue;

import com.atlassian.jira.bc.ServiceResultImpl;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.util.ErrorCollection;

/** Permission-checked issue operations. */
public interface IssueService {
    /** assignee is the assignee's username; null unassigns. */
    AssignValidationResult validateAssign(ApplicationUser user, Long issueId, String assignee);

    IssueResult assign(ApplicationUser user, AssignValidationResult assignResult);

    /** Result of validateAssign. */
    class AssignValidationResult extends ServiceResultImpl {
        public AssignValidationResult(ErrorCollection errorCollection) {
            super(errorCollection);
        }
    }

    /** Result of assign. */
    class IssueResult extends ServiceResultImpl {
        public IssueResult(ErrorCollection errorCollection) {
            super(errorCollection);
        }
    }
}
