package io.seatwarden.bridge;

import java.util.List;

/**
 * One user as the host reads it (a snapshot user).
 *
 * @param key the product's stable user key
 * @param username the login name
 * @param displayName the full name
 * @param email the email address
 * @param directoryId the directory the user lives in
 * @param active whether the account is active
 * @param created when the account was created, UTC ms
 * @param lastLogin the last successful login, UTC ms, or {@code null} if never
 * @param loginCount successful logins so far, or {@code null} where the product does not count
 *     them (Confluence)
 * @param deactivatedAt when the account was deactivated, UTC ms, if known
 * @param groups the user's group names
 * @param activity one value per {@link DirectoryHeader#signals() header signal}, UTC ms or {@code
 *     null} (no value), in the header's order; empty when the header declares none
 */
public record DirectoryUser(
    String key,
    String username,
    String displayName,
    String email,
    long directoryId,
    boolean active,
    long created,
    Long lastLogin,
    Integer loginCount,
    Long deactivatedAt,
    List<String> groups,
    List<Long> activity) {

  /** A user without activity signals (a host that only knows logins). */
  public DirectoryUser(
      String key,
      String username,
      String displayName,
      String email,
      long directoryId,
      boolean active,
      long created,
      Long lastLogin,
      Integer loginCount,
      Long deactivatedAt,
      List<String> groups) {
    this(
        key,
        username,
        displayName,
        email,
        directoryId,
        active,
        created,
        lastLogin,
        loginCount,
        deactivatedAt,
        groups,
        List.of());
  }

  /** This user with {@code values} as their activity. */
  public DirectoryUser withActivity(List<Long> values) {
    return new DirectoryUser(
        key,
        username,
        displayName,
        email,
        directoryId,
        active,
        created,
        lastLogin,
        loginCount,
        deactivatedAt,
        groups,
        values);
  }
}
