package io.seatwarden.bridge;

import java.util.List;

/**
 * Everything about the directory except its users (the snapshot header).
 *
 * @param takenAt when the host read it, UTC milliseconds
 * @param directories the user directories, in the product's order
 * @param groups every group
 * @param licences the product's licences (applications) and their seats
 * @param sysadmins keys of the users with system administrator rights
 * @param signals activity signals besides the last login that users carry values of
 *     (docs/activity.md); empty for a host that only knows logins
 */
public record DirectoryHeader(
    long takenAt,
    List<Directory> directories,
    List<Group> groups,
    List<Licence> licences,
    List<String> sysadmins,
    List<Signal> signals) {

  /** A header without activity signals. */
  public DirectoryHeader(
      long takenAt,
      List<Directory> directories,
      List<Group> groups,
      List<Licence> licences,
      List<String> sysadmins) {
    this(takenAt, directories, groups, licences, sysadmins, List.of());
  }

  /** This header declaring {@code more} signals after its own. */
  public DirectoryHeader withSignals(List<Signal> more) {
    List<Signal> all = new java.util.ArrayList<>(signals);
    all.addAll(more);
    return new DirectoryHeader(takenAt, directories, groups, licences, sysadmins, List.copyOf(all));
  }

  /**
   * An activity signal (docs/snapshot.md).
   *
   * @param kind {@code seen} or {@code lastAuthenticated}
   * @param product the application it is about, or {@code null} for the whole product
   * @param since when it started recording, UTC ms, or {@code null} for full history
   * @param gaps the periods after {@code since} it recorded nothing, ascending and disjoint (at
   *     most {@link #MAX_GAPS}); empty when it recorded every day
   */
  public record Signal(String kind, String product, Long since, List<Gap> gaps) {
    /** The most gaps a signal may declare (the engine's {@code MAX_GAPS}). */
    public static final int MAX_GAPS = 64;

    /** Checks the gaps are present (an empty list for none) and copies them. */
    public Signal {
      gaps = List.copyOf(gaps);
    }

    /** A signal that recorded every day since {@code since}. */
    public Signal(String kind, String product, Long since) {
      this(kind, product, since, List.of());
    }
  }

  /**
   * A period a signal recorded nothing: from {@code from} (included) to {@code to} (excluded), UTC
   * ms; a recorder that marks covered days reports whole days.
   *
   * @param from the first instant not recorded
   * @param to the first instant recorded again
   */
  public record Gap(long from, long to) {}

  /** What kind of user directory this is. */
  public enum DirectoryKind {
    /** The product's own directory. */
    INTERNAL,
    /** Internal users authenticated against LDAP. */
    INTERNAL_WITH_LDAP_AUTH,
    /** An LDAP (or Active Directory) connector. */
    LDAP,
    /** Atlassian Crowd. */
    CROWD,
    /** Another Jira acting as a user server. */
    JIRA_SERVER,
    /** Anything else. */
    OTHER
  }

  /**
   * Which writes a directory allows.
   *
   * @param updateUser activate / deactivate and profile changes
   * @param renameUser username changes
   * @param deleteUser deletion
   * @param createUser creation (imports)
   * @param updateMembership group membership changes
   */
  public record Capabilities(
      boolean updateUser,
      boolean renameUser,
      boolean deleteUser,
      boolean createUser,
      boolean updateMembership) {}

  /**
   * One user directory.
   *
   * @param id the product's directory id
   * @param name its display name
   * @param kind its kind
   * @param capabilities which writes it allows
   * @param localGroups groups whose memberships are local even in a read-only directory
   */
  public record Directory(
      long id, String name, DirectoryKind kind, Capabilities capabilities, List<String> localGroups) {}

  /**
   * One group.
   *
   * @param name the group name
   * @param admin whether membership grants administrator rights
   * @param licence whether membership grants a licence seat
   */
  public record Group(String name, boolean admin, boolean licence) {}

  /**
   * One licensed application.
   *
   * @param application its key (e.g. {@code jira-software})
   * @param name its display name
   * @param seatLimit its seats, or {@code null} for unlimited
   * @param seatsUsed seats in use now
   * @param groups the groups that grant it
   */
  public record Licence(
      String application, String name, Integer seatLimit, int seatsUsed, List<String> groups) {}
}
