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
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The product's host with the "seen" signal added: the header declares {@code seen} (since the
 * plugin started recording: docs/activity.md §4.2, with the days it recorded nothing as gaps), and
 * every user carries their latest seen day (start of that UTC day) or {@code null}.
 *
 * <p>The stored days are read once per snapshot, at {@link #header()} (a snapshot always starts
 * there), and the pages that follow look users up in that map. With nothing stored yet the host
 * declares no signal at all, so the engine judges by the product's dates alone, exactly as before.
 *
 * <p><b>{@code since} and gaps.</b> {@code since} is the earliest of the first covered day and the
 * earliest stored seen day (recording began on or before both; an installation upgraded from a
 * version without covered days has seen days older than its first covered day). Gaps are the days
 * from the first covered day to yesterday with no covered record (today is not one: its first
 * flush may not have run yet). Days between {@code since} and the first covered day are taken as
 * covered: that stretch only exists on an upgraded installation, which could not tell, and
 * before this change it was taken as covered too. Past {@link DirectoryHeader.Signal#MAX_GAPS}
 * periods the oldest are merged into one: that declares covered days as uncovered (more
 * approvals), never the reverse.
 */
public final class SeenHost implements Host {
  private static final long DAY_MS = 86_400_000L;

  private final Host product;
  private final SeenDays days;
  private final CoveredDays covered;
  private volatile Map<String, Long> snapshot = Collections.emptyMap();
  private volatile boolean declared;

  /** The product's host, with the seen days of {@code days} and the covered days of {@code covered}. */
  public SeenHost(Host product, SeenDays days, CoveredDays covered) {
    this.product = Objects.requireNonNull(product, "product");
    this.days = Objects.requireNonNull(days, "days");
    this.covered = Objects.requireNonNull(covered, "covered");
  }

  @Override
  public DirectoryHeader header() {
    DirectoryHeader header = product.header();
    Map<String, Long> all = days.all();
    NavigableSet<Long> coveredDays = covered.days();
    snapshot = all;
    declared = !all.isEmpty() || !coveredDays.isEmpty();
    if (!declared) {
      return header;
    }
    long first = all.isEmpty() ? Long.MAX_VALUE : Collections.min(all.values());
    if (!coveredDays.isEmpty()) {
      first = Math.min(first, coveredDays.first());
    }
    long today = Math.floorDiv(header.takenAt(), DAY_MS);
    return header.withSignals(
        List.of(
            new DirectoryHeader.Signal("seen", null, first * DAY_MS, gaps(coveredDays, today))));
  }

  /**
   * The runs of days from the first covered day to the day before {@code today} that have no
   * covered record, as whole-day periods, at most {@link DirectoryHeader.Signal#MAX_GAPS}.
   */
  static List<DirectoryHeader.Gap> gaps(NavigableSet<Long> coveredDays, long today) {
    List<DirectoryHeader.Gap> out = new ArrayList<>();
    if (coveredDays.isEmpty()) {
      return out;
    }
    long expected = coveredDays.first();
    for (long day : coveredDays.headSet(today, false)) {
      if (day > expected) {
        out.add(new DirectoryHeader.Gap(expected * DAY_MS, day * DAY_MS));
      }
      expected = day + 1;
    }
    if (expected < today) {
      out.add(new DirectoryHeader.Gap(expected * DAY_MS, today * DAY_MS));
    }
    int max = DirectoryHeader.Signal.MAX_GAPS;
    if (out.size() > max) {
      int merged = out.size() - max + 1;
      DirectoryHeader.Gap oldest =
          new DirectoryHeader.Gap(out.get(0).from(), out.get(merged - 1).to());
      List<DirectoryHeader.Gap> kept = new ArrayList<>(max);
      kept.add(oldest);
      kept.addAll(out.subList(merged, out.size()));
      return kept;
    }
    return out;
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
