package io.seatwarden.activity;

import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.UsersPage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The product's host with the "seen" signal added: the header declares {@code seen} (since the
 * earliest stored day, when the plugin started recording: docs/activity.md §4.2), and every user
 * carries their latest seen day (start of that UTC day) or {@code null}.
 *
 * <p>The stored days are read once per snapshot, at {@link #header()} (a snapshot always starts
 * there), and the pages that follow look users up in that map. With nothing stored yet the host
 * declares no signal at all, so the engine judges by the product's dates alone, exactly as before.
 */
public final class SeenHost implements Host {
  private static final long DAY_MS = 86_400_000L;

  private final Host product;
  private final SeenDays days;
  private volatile Map<String, Long> snapshot = Collections.emptyMap();
  private volatile boolean declared;

  /** The product's host, with the seen days of {@code days}. */
  public SeenHost(Host product, SeenDays days) {
    this.product = Objects.requireNonNull(product, "product");
    this.days = Objects.requireNonNull(days, "days");
  }

  @Override
  public DirectoryHeader header() {
    DirectoryHeader header = product.header();
    Map<String, Long> all = days.all();
    snapshot = all;
    declared = !all.isEmpty();
    if (!declared) {
      return header;
    }
    long first = Collections.min(all.values());
    return header.withSignals(List.of(new DirectoryHeader.Signal("seen", null, first * DAY_MS)));
  }

  @Override
  public UsersPage users(String cursor, int limit) {
    UsersPage page = product.users(cursor, limit);
    if (!declared) {
      return page;
    }
    Map<String, Long> seen = snapshot;
    List<DirectoryUser> users = new ArrayList<>(page.users().size());
    for (DirectoryUser u : page.users()) {
      users.add(withSeen(u, millis(seen.get(u.key()))));
    }
    return new UsersPage(users, page.next());
  }

  @Override
  public Optional<DirectoryUser> user(String key) {
    return product.user(key).map(this::withDay);
  }

  @Override
  public Optional<DirectoryUser> userByUsername(String username) {
    return product.userByUsername(username).map(this::withDay);
  }

  private DirectoryUser withDay(DirectoryUser u) {
    if (!declared) {
      return u;
    }
    OptionalLong day = days.day(u.key());
    return withSeen(u, day.isPresent() ? day.getAsLong() * DAY_MS : null);
  }

  /**
   * {@code u} with the seen date after the product's own signal values: the header appends
   * {@code seen} after the product's signals ({@link DirectoryHeader#withSignals}), so the values
   * must line up the same way.
   */
  private static DirectoryUser withSeen(DirectoryUser u, Long seenMillis) {
    List<Long> values = new ArrayList<>(u.activity());
    values.add(seenMillis);
    return u.withActivity(Collections.unmodifiableList(values));
  }

  private static Long millis(Long day) {
    return day == null ? null : day * DAY_MS;
  }

  @Override
  public OperationResult apply(Operation operation) {
    return product.apply(operation);
  }
}
