package io.seatwarden.bridge;

import java.util.Optional;

/**
 * The product's user directory, as the engine sees it: what a Jira or Confluence adapter (and the
 * tests' in-memory directory) implements.
 *
 * <p>The engine calls these methods back from inside {@link Engine} calls, always on the thread
 * that made the call (a request thread, the scheduler job's thread, or the executor that calls
 * {@code drive()}), so the product's thread-local context the host set up before calling in is in
 * place. Implementations must be safe to use from several such threads at once.
 *
 * <p>The shapes mirror the snapshot format ({@code docs/snapshot.md}); the bridge encodes them.
 * Reads that cannot be answered at all throw {@link HostUnavailableException}; a write the product
 * refuses is not an exception but an {@link OperationResult.Failed} with its reason.
 */
public interface Host {

  /** Directories, groups, licences and sysadmins, read now. */
  DirectoryHeader header();

  /**
   * Up to {@code limit} users after {@code cursor} ({@code null}: from the start), in an order
   * that is stable while the directory does not change.
   */
  UsersPage users(String cursor, int limit);

  /** One user by key, read fresh. */
  Optional<DirectoryUser> user(String key);

  /** One user by login name (case-insensitive), read fresh. */
  Optional<DirectoryUser> userByUsername(String username);

  /** Applies one write; never throws for a refusal the product reports. */
  OperationResult apply(Operation operation);
}
