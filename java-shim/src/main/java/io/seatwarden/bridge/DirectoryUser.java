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
    List<String> groups) {}
