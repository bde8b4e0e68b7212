package io.seatwarden.product;

import java.util.Collection;

/**
 * Group-name comparisons both products need. Jira and Confluence compare group names without
 * regard to case (Crowd's rule), so every membership and protection check goes through here.
 */
public final class GroupNames {
  private GroupNames() {}

  /** Whether any name in {@code a} is in {@code b}, ignoring case. */
  public static boolean intersects(Collection<String> a, Collection<String> b) {
    for (String x : a) {
      if (containsIgnoreCase(b, x)) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code names} (null: none) holds {@code name}, ignoring case. */
  public static boolean containsIgnoreCase(Collection<String> names, String name) {
    if (names != null) {
      for (String n : names) {
        if (n.equalsIgnoreCase(name)) {
          return true;
        }
      }
    }
    return false;
  }
}
