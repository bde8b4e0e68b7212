package io.seatwarden.product;

import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.crowd.embedded.api.UserWithAttributes;
import io.seatwarden.bridge.DirectoryHeader;

/**
 * Crowd's {@code lastAuthenticated} user attribute as an activity signal (docs/activity.md §1, §5).
 *
 * <p>Why this signal: embedded Crowd's directories write it whenever a password or SSO check
 * succeeds (and, in Jira acting as user server, when another application's login is checked
 * against Jira), so it moves on routes the products' own last-login date misses. Crowd stores it
 * as the decimal string of UTC milliseconds ({@code Long.toString(System.currentTimeMillis())},
 * Crowd's {@code AbstractInternalDirectory} and {@code DbCachingRemoteDirectory}; code index file
 * ids 36961620485, 36921762761). The value is the effective user's, i.e. of the first directory in
 * the application's order that holds the name, like every other field the hosts read.
 *
 * <p>Cost: the embedded API has no user search that returns attributes, so this is one {@code
 * getUserWithAttributes} call per user read, on top of the paged search.
 */
public final class CrowdActivity {
  /** The attribute name, Crowd's {@code UserConstants.LAST_AUTHENTICATED}. */
  public static final String ATTRIBUTE = "lastAuthenticated";

  /** The header signal the product hosts declare: whole product, full history. */
  public static final DirectoryHeader.Signal SIGNAL =
      new DirectoryHeader.Signal(ATTRIBUTE, null, null);

  private CrowdActivity() {}

  /**
   * The user's last authentication, UTC ms, or {@code null} when the user or the attribute is
   * missing or the value is not a positive decimal number (never a guess: a malformed value counts
   * as no date, so it can only make the other signals decide).
   */
  public static Long lastAuthenticated(CrowdService crowd, String username) {
    UserWithAttributes u = crowd.getUserWithAttributes(username);
    return u == null ? null : parse(u.getValue(ATTRIBUTE));
  }

  static Long parse(String value) {
    if (value == null) {
      return null;
    }
    try {
      long ms = Long.parseLong(value.trim());
      return ms > 0 ? ms : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
