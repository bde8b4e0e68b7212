package io.seatwarden.jira;

import com.atlassian.jira.bc.issue.IssueService;
import com.atlassian.jira.bc.issue.search.SearchService;
import com.atlassian.jira.issue.Issue;
import com.atlassian.jira.issue.search.SearchException;
import com.atlassian.jira.issue.search.SearchResults;
import com.atlassian.jira.project.Project;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.user.util.UserManager;
import com.atlassian.jira.web.bean.PagerFilter;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.OperationResult.FailureKind;
import io.seatwarden.product.Redaction;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Hands a user's open issues to nobody, to each project's lead, or to a named user.
 *
 * <p>Issues are found with JQL through {@link SearchService} as the automation account (so only
 * issues that account may browse are found) and moved one by one with {@link IssueService}'s
 * validate-then-assign pair, which applies Jira's own rules (assignable user, unassigned issues
 * allowed). Reassigned issues drop out of the query, so every round searches from the start again;
 * issues already tried are skipped, and the search window grows with them. The search backends cap
 * one request at 10,000 hits, hence the window limit. Issues that could not be moved do not stop
 * the others: the result then reports how many failed, with the first reason.
 */
final class JiraIssueHandover {
  static final int BATCH = 100;
  static final int MAX_WINDOW = 10_000;

  private final UserManager users;
  private final SearchService search;
  private final IssueService issues;

  JiraIssueHandover(UserManager users, SearchService search, IssueService issues) {
    this.users = users;
    this.search = search;
    this.issues = issues;
  }

  OperationResult reassign(ApplicationUser admin, Operation.ReassignIssues op) {
    ApplicationUser from = users.getUserByKey(op.user());
    if (from == null) {
      return OperationResult.failed(FailureKind.NOT_FOUND);
    }
    ApplicationUser fixedTarget = null;
    if (op.to() instanceof Operation.Handover.ToUser) {
      fixedTarget = users.getUserByKey(((Operation.Handover.ToUser) op.to()).user());
      if (fixedTarget == null) {
        return OperationResult.failed(FailureKind.NOT_FOUND);
      }
      if (!fixedTarget.isActive()) {
        return new OperationResult.Failed(
            FailureKind.VETOED, "the user taking over the issues is inactive");
      }
    }
    List<String> personal = personal(from, fixedTarget);
    SearchService.ParseResult parsed = search.parseQuery(admin, openIssuesOf(from.getUsername()));
    if (parsed == null || !parsed.isValid()) {
      return new OperationResult.Failed(
          FailureKind.HOST, "the product refused the open-issues query");
    }
    Set<Long> tried = new HashSet<>();
    int moved = 0;
    int failed = 0;
    String firstFailure = null;
    while (true) {
      PagerFilter<Issue> pager = new PagerFilter<>(Math.min(MAX_WINDOW, tried.size() + BATCH));
      pager.setStart(0);
      SearchResults<Issue> results;
      try {
        results = search.search(admin, parsed.getQuery(), pager);
      } catch (SearchException e) {
        return new OperationResult.Failed(
            FailureKind.HOST, "the issue search failed in the product (SearchException)");
      }
      boolean progressed = false;
      for (Issue issue : results.getResults()) {
        if (!tried.add(issue.getId())) {
          continue;
        }
        progressed = true;
        String problem = assign(admin, issue, from, op.to(), fixedTarget, personal);
        if (problem == null) {
          moved++;
        } else {
          failed++;
          if (firstFailure == null) {
            firstFailure = problem;
          }
        }
      }
      if (!progressed || tried.size() >= MAX_WINDOW) {
        break;
      }
    }
    if (tried.size() >= MAX_WINDOW) {
      return new OperationResult.Failed(
          FailureKind.HOST,
          "stopped after "
              + MAX_WINDOW
              + " issues ("
              + failed
              + " not handed over); more may remain: run the handover again");
    }
    if (failed == 0) {
      return OperationResult.applied();
    }
    return new OperationResult.Failed(
        FailureKind.VETOED,
        failed
            + " of "
            + (moved + failed)
            + " open issues could not be handed over: "
            + firstFailure);
  }

  /** Assigns one issue; null on success, else why not (free of personal data). */
  private String assign(
      ApplicationUser admin,
      Issue issue,
      ApplicationUser from,
      Operation.Handover to,
      ApplicationUser fixedTarget,
      List<String> personal) {
    String assignee = null;
    List<String> involved = new ArrayList<>(personal);
    if (to instanceof Operation.Handover.ProjectLead) {
      Project project = issue.getProjectObject();
      ApplicationUser lead = project == null ? null : project.getProjectLead();
      if (lead == null || !lead.isActive() || lead.getKey().equals(from.getKey())) {
        return "issue " + issue.getKey() + ": its project has no active lead to take it";
      }
      assignee = lead.getUsername();
      involved.addAll(personal(lead, null));
    } else if (fixedTarget != null) {
      assignee = fixedTarget.getUsername();
    }
    IssueService.AssignValidationResult valid =
        issues.validateAssign(admin, issue.getId(), assignee);
    if (valid == null || !valid.isValid()) {
      return "issue "
          + issue.getKey()
          + ": "
          + detail(
              valid == null ? null : JiraErrors.messages(valid.getErrorCollection()), involved);
    }
    IssueService.IssueResult done = issues.assign(admin, valid);
    if (done == null || !done.isValid()) {
      return "issue "
          + issue.getKey()
          + ": "
          + detail(done == null ? null : JiraErrors.messages(done.getErrorCollection()), involved);
    }
    return null;
  }

  private static String detail(List<String> messages, List<String> personal) {
    String d = messages == null ? null : Redaction.scrubAll(messages, personal);
    return d == null ? "the product refused the assignment" : d;
  }

  /** JQL for the unresolved issues assigned to {@code username}. */
  static String openIssuesOf(String username) {
    String quoted = username.replace("\\", "\\\\").replace("\"", "\\\"");
    return "assignee = \"" + quoted + "\" AND resolution IS EMPTY ORDER BY key ASC";
  }

  private static List<String> personal(ApplicationUser a, ApplicationUser b) {
    List<String> out = new ArrayList<>();
    for (ApplicationUser u : new ApplicationUser[] {a, b}) {
      if (u != null) {
        out.add(u.getUsername());
        out.add(u.getDisplayName());
        out.add(u.getEmailAddress());
        out.add(u.getKey());
      }
    }
    return out;
  }
}
