package io.seatwarden.bridge;

import java.util.List;

/**
 * A page of users from {@link Host#users}.
 *
 * @param users the users, in the host's stable order
 * @param next the cursor of the next page, or {@code null} after the last page
 */
public record UsersPage(List<DirectoryUser> users, String next) {}
