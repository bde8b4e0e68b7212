package io.seatwarden.product;

import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.OperationType;
import com.atlassian.crowd.model.user.TimestampedUser;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryHeader.Capabilities;
import io.seatwarden.bridge.DirectoryHeader.DirectoryKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Describes the products' embedded Crowd directories the way the engine needs them.
 *
 * <p>Capabilities come from the operations each directory allows ({@code UPDATE_USER} for
 * activate/deactivate and profile edits, {@code DELETE_USER}, {@code CREATE_USER}, {@code
 * UPDATE_GROUP} for memberships). Renames are only offered for the internal and the
 * internal-with-LDAP-authentication directories: connectors take usernames from the server.
 *
 * <p>An LDAP or Crowd connector with <em>local groups</em> ({@code ldap.local.groups}) keeps group
 * memberships in the product, but only for groups that live locally; the embedded API does not say
 * which groups those are. The adapter reports the licence-granting groups as its local groups (the
 * usual set-up: application access groups are created in the product beside a read-only LDAP) and
 * does not claim membership changes for the rest. A write to a group that is not local after all is
 * refused by the product and comes back as {@code READ_ONLY_DIRECTORY}.
 */
public final class CrowdDirectories {
  /** Crowd's directory attribute that turns on local groups for a connector. */
  public static final String LOCAL_GROUPS_ATTRIBUTE = "ldap.local.groups";

  private CrowdDirectories() {}

  /** The engine's view of {@code directory}; {@code licenceGroups} become its local groups. */
  public static DirectoryHeader.Directory describe(
      Directory directory, Collection<String> licenceGroups) {
    DirectoryKind kind = kind(directory.getType());
    boolean local =
        localGroupsEnabled(directory)
            && (kind == DirectoryKind.LDAP || kind == DirectoryKind.CROWD);
    Set<OperationType> ops = directory.getAllowedOperations();
    boolean updateUser = allows(ops, OperationType.UPDATE_USER);
    boolean renamable =
        kind == DirectoryKind.INTERNAL || kind == DirectoryKind.INTERNAL_WITH_LDAP_AUTH;
    Capabilities capabilities =
        new Capabilities(
            updateUser,
            updateUser && renamable,
            allows(ops, OperationType.DELETE_USER),
            allows(ops, OperationType.CREATE_USER),
            !local && allows(ops, OperationType.UPDATE_GROUP));
    List<String> localGroups = new ArrayList<>();
    if (local) {
      TreeSet<String> sorted = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
      sorted.addAll(licenceGroups);
      localGroups.addAll(sorted);
    }
    Long id = directory.getId();
    String name = directory.getName();
    return new DirectoryHeader.Directory(
        id == null ? 0L : id,
        name == null ? "" : name,
        kind,
        capabilities,
        List.copyOf(localGroups));
  }

  /** The engine's directory kind for Crowd's type. */
  public static DirectoryKind kind(DirectoryType type) {
    if (type == null) {
      return DirectoryKind.OTHER;
    }
    switch (type) {
      case INTERNAL:
        return DirectoryKind.INTERNAL;
      case DELEGATING:
        return DirectoryKind.INTERNAL_WITH_LDAP_AUTH;
      case CONNECTOR:
        return DirectoryKind.LDAP;
      case CROWD:
        return DirectoryKind.CROWD;
      default:
        return DirectoryKind.OTHER;
    }
  }

  /**
   * Whether {@code group}'s memberships can change for users of {@code directory} (the engine's own
   * rule, repeated so a host can refuse before calling the product).
   */
  public static boolean canChangeMembership(DirectoryHeader.Directory directory, String group) {
    if (directory.capabilities().updateMembership()) {
      return true;
    }
    for (String local : directory.localGroups()) {
      if (local.equalsIgnoreCase(group)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The account's creation time, or {@code fallback} when the directory does not record it or the
   * product does not export {@code com.atlassian.crowd.model.user} (an undocumented package, so
   * imported optionally: without it every account counts as created at {@code fallback}, which
   * only ever delays a never-logged-in rule, see docs/atlassian-api.md).
   */
  public static long created(com.atlassian.crowd.embedded.api.User user, long fallback) {
    return TIMESTAMPS ? Timestamps.created(user, fallback) : fallback;
  }

  /** Whether {@code com.atlassian.crowd.model.user} is wired (looked up once, by name). */
  static final boolean TIMESTAMPS = timestampsAvailable(CrowdDirectories.class.getClassLoader());

  static boolean timestampsAvailable(ClassLoader loader) {
    try {
      Class.forName("com.atlassian.crowd.model.user.TimestampedUser", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }

  /**
   * The only class that names {@code TimestampedUser}: loaded (and the optional package
   * resolved) only after {@link #TIMESTAMPS} said the package is wired.
   */
  private static final class Timestamps {
    private Timestamps() {}

    static long created(com.atlassian.crowd.embedded.api.User user, long fallback) {
      if (user instanceof TimestampedUser timestamped) {
        Date created = timestamped.getCreatedDate();
        if (created != null) {
          return created.getTime();
        }
      }
      return fallback;
    }
  }

  private static boolean localGroupsEnabled(Directory directory) {
    Map<String, String> attributes = directory.getAttributes();
    return attributes != null && Boolean.parseBoolean(attributes.get(LOCAL_GROUPS_ATTRIBUTE));
  }

  private static boolean allows(Set<OperationType> ops, OperationType op) {
    return ops != null && ops.contains(op);
  }
}
