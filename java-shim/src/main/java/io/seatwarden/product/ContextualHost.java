package io.seatwarden.product;

import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.UsersPage;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Host} whose every call runs inside a {@link ThreadContext}: the product's per-call
 * state (Confluence: a SAL transaction with its session and request context) around each
 * directory read or write, and nothing around the engine's store calls, which the engine makes
 * between host calls, never inside one. That keeps the store's compare-and-set transactions out
 * of any product transaction, so they commit before the table lock is released.
 */
public final class ContextualHost implements Host {

  private final Host host;
  private final ThreadContext context;

  /** {@code host} with every call inside {@code context}. */
  public ContextualHost(Host host, ThreadContext context) {
    this.host = Objects.requireNonNull(host, "host");
    this.context = Objects.requireNonNull(context, "context");
  }

  @Override
  public DirectoryHeader header() {
    return context.call(host::header);
  }

  @Override
  public UsersPage users(String cursor, int limit) {
    return context.call(() -> host.users(cursor, limit));
  }

  @Override
  public Optional<DirectoryUser> user(String key) {
    return context.call(() -> host.user(key));
  }

  @Override
  public Optional<DirectoryUser> userByUsername(String username) {
    return context.call(() -> host.userByUsername(username));
  }

  @Override
  public OperationResult apply(Operation operation) {
    return context.call(() -> host.apply(operation));
  }
}
