package io.seatwarden.jira;

import com.atlassian.jira.security.JiraAuthenticationContext;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.user.util.UserManager;
import io.seatwarden.product.ActingUser;
import io.seatwarden.product.NoActingUserException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a block as Jira's automation account through {@link JiraAuthenticationContext}.
 *
 * <p>Jira's services validate against the context's logged-in user, and some also take that user as
 * an argument ({@code validateDeleteUser}, {@code SearchService}, {@code IssueService}): {@link
 * #callAs} hands it to the block. The previous user (a person on a request thread, nobody on the
 * scheduler's thread) is put back in {@code finally}, the way Jira's own code does it, not cleared.
 * The account is looked up by key on every call so a change in settings applies at once.
 */
public final class JiraActingUser implements ActingUser {
  private final JiraAuthenticationContext context;
  private final UserManager users;
  private final Supplier<String> automationUserKey;

  /**
   * @param context Jira's thread-local authentication context
   * @param users Jira's user lookup
   * @param automationUserKey the configured account's user key (null or blank: none configured)
   */
  public JiraActingUser(
      JiraAuthenticationContext context, UserManager users, Supplier<String> automationUserKey) {
    this.context = Objects.requireNonNull(context, "context");
    this.users = Objects.requireNonNull(users, "users");
    this.automationUserKey = Objects.requireNonNull(automationUserKey, "automationUserKey");
  }

  @Override
  public <T> T call(Supplier<T> block) {
    Objects.requireNonNull(block, "block");
    return callAs(admin -> block.get());
  }

  /**
   * Runs {@code block} with the automation account set in the context and passed in.
   *
   * @throws NoActingUserException when the account is not configured, unknown or inactive
   */
  public <T> T callAs(Function<ApplicationUser, T> block) {
    Objects.requireNonNull(block, "block");
    ApplicationUser admin = automationUser();
    ApplicationUser previous = context.getLoggedInUser();
    context.setLoggedInUser(admin);
    try {
      return block.apply(admin);
    } finally {
      context.setLoggedInUser(previous);
    }
  }

  /** The configured automation account, checked. */
  public ApplicationUser automationUser() {
    String key = automationUserKey.get();
    if (key == null || key.isBlank()) {
      throw new NoActingUserException("no automation account is configured");
    }
    ApplicationUser admin = users.getUserByKey(key);
    if (admin == null) {
      throw new NoActingUserException("the configured automation account does not exist");
    }
    if (!admin.isActive()) {
      throw new NoActingUserException("the configured automation account is inactive");
    }
    return admin;
  }
}
