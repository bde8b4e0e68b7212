package io.seatwarden.confluence;

import com.atlassian.confluence.user.AuthenticatedUserThreadLocal;
import com.atlassian.confluence.user.ConfluenceUser;
import com.atlassian.confluence.user.UserAccessor;
import com.atlassian.sal.api.user.UserKey;
import io.seatwarden.product.ActingUser;
import io.seatwarden.product.NoActingUserException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a block as Confluence's automation account through {@link AuthenticatedUserThreadLocal}.
 *
 * <p>{@code UserAccessor}'s writes throw unless the thread's authenticated user may make them. The
 * previous user is restored in {@code finally}; when there was none (the scheduler's thread), the
 * thread-local is reset rather than set to null, as Confluence's own code does. The account is
 * looked up by key on every call so a change in settings applies at once.
 */
public final class ConfluenceActingUser implements ActingUser {
  private final UserAccessor users;
  private final Supplier<String> automationUserKey;

  /**
   * @param users Confluence's user accessor
   * @param automationUserKey the configured account's user key (null or blank: none configured)
   */
  public ConfluenceActingUser(UserAccessor users, Supplier<String> automationUserKey) {
    this.users = Objects.requireNonNull(users, "users");
    this.automationUserKey = Objects.requireNonNull(automationUserKey, "automationUserKey");
  }

  @Override
  public <T> T call(Supplier<T> block) {
    Objects.requireNonNull(block, "block");
    return callAs(admin -> block.get());
  }

  /**
   * Runs {@code block} with the automation account set as the authenticated user and passed in.
   *
   * @throws NoActingUserException when the account is not configured, unknown or deactivated
   */
  public <T> T callAs(Function<ConfluenceUser, T> block) {
    Objects.requireNonNull(block, "block");
    ConfluenceUser admin = automationUser();
    ConfluenceUser previous = AuthenticatedUserThreadLocal.get();
    AuthenticatedUserThreadLocal.set(admin);
    try {
      return block.apply(admin);
    } finally {
      if (previous == null) {
        AuthenticatedUserThreadLocal.reset();
      } else {
        AuthenticatedUserThreadLocal.set(previous);
      }
    }
  }

  /** The configured automation account, checked. */
  public ConfluenceUser automationUser() {
    String key = automationUserKey.get();
    if (key == null || key.isBlank()) {
      throw new NoActingUserException("no automation account is configured");
    }
    ConfluenceUser admin = users.getUserByKey(new UserKey(key));
    if (admin == null) {
      throw new NoActingUserException("the configured automation account does not exist");
    }
    if (users.isDeactivated(admin)) {
      throw new NoActingUserException("the configured automation account is inactive");
    }
    return admin;
  }
}
