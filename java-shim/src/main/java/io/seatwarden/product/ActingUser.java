package io.seatwarden.product;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs work as the automation account chosen in Seatwarden's settings.
 *
 * <p>Jira's and Confluence's user services check the permissions of a thread-local "current user".
 * Automation has no logged-in person, so the host sets the configured admin account for the length
 * of a block and then puts back whoever was there before, also when the block throws (a request
 * thread must never leave the plugin still acting as the admin).
 */
public interface ActingUser {

  /**
   * Runs {@code block} as the automation account and returns its result.
   *
   * @throws NoActingUserException when no automation account is configured, or it does not exist or
   *     is inactive; the block is then not run
   */
  <T> T call(Supplier<T> block);

  /** Like {@link #call}, for a block without a result. */
  default void run(Runnable block) {
    Objects.requireNonNull(block, "block");
    call(
        () -> {
          block.run();
          return null;
        });
  }
}
