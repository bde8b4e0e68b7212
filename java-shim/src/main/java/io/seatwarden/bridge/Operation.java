package io.seatwarden.bridge;

/**
 * One write the engine asks the host to apply (mirrors {@code seatwarden_core::operation}).
 * Users are named by key, groups by name.
 */
public sealed interface Operation {

  /** Reactivate a deactivated user. */
  record Activate(String user) implements Operation {}

  /** Deactivate a user (the account and its history stay). */
  record Deactivate(String user) implements Operation {}

  /** Change a user's username. */
  record Rename(String user, String to) implements Operation {}

  /** Delete a user's account. */
  record Delete(String user) implements Operation {}

  /** Add a user to a group. */
  record AddToGroup(String user, String group) implements Operation {}

  /** Remove a user from a group. */
  record RemoveFromGroup(String user, String group) implements Operation {}

  /** Hand a user's open issues over (Jira only). */
  record ReassignIssues(String user, Handover to) implements Operation {}

  /** Create a group. */
  record CreateGroup(String group) implements Operation {}

  /** Delete a group. */
  record DeleteGroup(String group) implements Operation {}

  /**
   * Create a user (import).
   *
   * @param directory the directory to create in, or {@code null} for the product's default
   */
  record CreateUser(
      String username, String displayName, String email, Long directory, boolean active)
      implements Operation {}

  /**
   * Update a user's profile (import); a {@code null} field does not change.
   */
  record UpdateUser(String user, String displayName, String email) implements Operation {}

  /** Who takes over a user's open issues. */
  sealed interface Handover {
    /** Leave them unassigned. */
    record Unassigned() implements Handover {}

    /** Assign each to its project's lead. */
    record ProjectLead() implements Handover {}

    /** Assign all to this user (by key). */
    record ToUser(String user) implements Handover {}
  }
}
