package io.seatwarden.bridge;

/**
 * One write the engine asks the host to apply (mirrors {@code seatwarden_core::operation}).
 * Users are named by key, groups by name.
 */
public sealed interface Operation {

  /**
   * Calls the {@link Handler} method for this operation. A host applies operations through a
   * handler rather than an {@code instanceof} chain, so a new operation is a compile error in every
   * host until each handles it (Java 17 has no exhaustive {@code switch} over a sealed type).
   */
  <R> R accept(Handler<R> handler);

  /**
   * One method per operation: what a host does with each. Implementations must handle all of
   * them; there is no default.
   *
   * @param <R> what handling answers (a host: an {@link OperationResult})
   */
  interface Handler<R> {
    /** Handles {@link Activate}. */
    R activate(Activate op);

    /** Handles {@link Deactivate}. */
    R deactivate(Deactivate op);

    /** Handles {@link Rename}. */
    R rename(Rename op);

    /** Handles {@link Delete}. */
    R delete(Delete op);

    /** Handles {@link AddToGroup}. */
    R addToGroup(AddToGroup op);

    /** Handles {@link RemoveFromGroup}. */
    R removeFromGroup(RemoveFromGroup op);

    /** Handles {@link ReassignIssues}. */
    R reassignIssues(ReassignIssues op);

    /** Handles {@link CreateGroup}. */
    R createGroup(CreateGroup op);

    /** Handles {@link DeleteGroup}. */
    R deleteGroup(DeleteGroup op);

    /** Handles {@link CreateUser}. */
    R createUser(CreateUser op);

    /** Handles {@link UpdateUser}. */
    R updateUser(UpdateUser op);
  }

  /** Reactivate a deactivated user. */
  record Activate(String user) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.activate(this);
    }
  }

  /** Deactivate a user (the account and its history stay). */
  record Deactivate(String user) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.deactivate(this);
    }
  }

  /** Change a user's username. */
  record Rename(String user, String to) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.rename(this);
    }
  }

  /** Delete a user's account. */
  record Delete(String user) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.delete(this);
    }
  }

  /** Add a user to a group. */
  record AddToGroup(String user, String group) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.addToGroup(this);
    }
  }

  /** Remove a user from a group. */
  record RemoveFromGroup(String user, String group) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.removeFromGroup(this);
    }
  }

  /** Hand a user's open issues over (Jira only). */
  record ReassignIssues(String user, Handover to) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.reassignIssues(this);
    }
  }

  /** Create a group. */
  record CreateGroup(String group) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.createGroup(this);
    }
  }

  /** Delete a group. */
  record DeleteGroup(String group) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.deleteGroup(this);
    }
  }

  /**
   * Create a user (import).
   *
   * @param directory the directory to create in, or {@code null} for the product's default
   */
  record CreateUser(
      String username, String displayName, String email, Long directory, boolean active)
      implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.createUser(this);
    }
  }

  /**
   * Update a user's profile (import); a {@code null} field does not change.
   */
  record UpdateUser(String user, String displayName, String email) implements Operation {
    @Override
    public <R> R accept(Handler<R> handler) {
      return handler.updateUser(this);
    }
  }

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
