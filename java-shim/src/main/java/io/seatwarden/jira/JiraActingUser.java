package io.seatwarden.jira;

import com.atlassian.jira.security.JiraAuthenticationContext;
import com.atlassian.jira.user.ApplicationUser;
import com.atlassian.jira.user.util.UserManager;
import io.seatwarden.product.ActingUser;
import io.seatwarden.product.NoActingUserException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a block as Jira's automation account through {@link JiraAuthenticationContext}.
 *
 * <p>Jira's services validate against the context's logged-in user, and some also take that user as
 * an argument ({@code validateDeleteUser}, {@code SearchService}, {@code IssueService}): {@link
 * #callAs} hands it to the block. The previous user (a person on a request thread, nobody on the
 * scheduler's thread) is put back in {@code finally}, the way Jira's own code does it, not cleared.
 * The account is looked up by key on every call so a change in settings applies at once.
 *
 * <p>Blocks nest (a tick runs as the account and applies operations, each of which also asks for
 * it). The outermost block on a thread is one batch of work; {@link #afterBatch} hooks run when it
 * ends, so work deferred per batch (refreshing Jira's licence counts) happens once per tick, per
 * background slice or per single operation, not once per write.
 */
public final class JiraActingUser implements ActingUser {
  private static final Logger LOG = LoggerFactory.getLogger(JiraActingUser.class);

  private final JiraAuthenticationContext context;
  private final UserManager users;
  private final Supplier<String> automationUserKey;
  private final List<Runnable> afterBatch = new CopyOnWriteArrayList<>();
  private final ThreadLocal<int[]> depth = ThreadLocal.withInitial(() -> new int[1]);

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
    int[] level = depth.get();
    level[0]++;
    context.setLoggedInUser(admin);
    try {
      return block.apply(admin);
    } finally {
      try {
        if (level[0] == 1) {
          runAfterBatch();
        }
      } finally {
        level[0]--;
        if (level[0] == 0) {
          depth.remove();
        }
        context.setLoggedInUser(previous);
      }
    }
  }

  /**
   * Registers {@code hook} to run at the end of every outermost block on any thread, still as the
   * automation account. A hook that throws is logged and never replaces the block's own result or
   * exception.
   */
  public void afterBatch(Runnable hook) {
    afterBatch.add(Objects.requireNonNull(hook, "hook"));
  }

  private void runAfterBatch() {
    for (Runnable hook : afterBatch) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        LOG.warn("Seatwarden end-of-batch work failed: {}", e.getClass().getSimpleName());
      }
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
