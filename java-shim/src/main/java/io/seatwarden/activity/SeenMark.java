package io.seatwarden.activity;

import java.util.Objects;

/**
 * One "seen" mark: the user (by stable key, never by name) and the UTC day (days since
 * 1970-01-01) a node saw them on. A store keeps, per user, the latest day of all marks it was
 * given, so marks from several nodes and repeated flushes merge by maximum (cluster-safe and
 * idempotent).
 *
 * @param userKey the product's stable user key
 * @param epochDay the UTC day
 */
public record SeenMark(String userKey, long epochDay) {
  /** Checks the key is present. */
  public SeenMark {
    Objects.requireNonNull(userKey, "userKey");
  }
}
