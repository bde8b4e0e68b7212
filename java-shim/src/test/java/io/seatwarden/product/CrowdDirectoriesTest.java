package io.seatwarden.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.OperationType;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryHeader.Capabilities;
import io.seatwarden.bridge.DirectoryHeader.DirectoryKind;
import java.io.File;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CrowdDirectoriesTest {
  private static final List<String> LICENCE = List.of("jira-software-users", "Jira-Core-Users");

  @Test
  void internalDirectoryAllowsEverything() {
    FakeCrowd crowd = new FakeCrowd();
    DirectoryHeader.Directory d =
        CrowdDirectories.describe(
            crowd.directory(1, "Internal", DirectoryType.INTERNAL, FakeCrowd.ALL), LICENCE);
    assertEquals(DirectoryKind.INTERNAL, d.kind());
    assertEquals(new Capabilities(true, true, true, true, true), d.capabilities());
    assertEquals(List.of(), d.localGroups());
  }

  @Test
  void readOnlyLdapAllowsNoUserOrMembershipWrite() {
    FakeCrowd crowd = new FakeCrowd();
    Set<OperationType> readOnly =
        EnumSet.of(OperationType.UPDATE_USER_ATTRIBUTE, OperationType.UPDATE_GROUP_ATTRIBUTE);
    DirectoryHeader.Directory d =
        CrowdDirectories.describe(
            crowd.directory(2, "LDAP", DirectoryType.CONNECTOR, readOnly), LICENCE);
    assertEquals(DirectoryKind.LDAP, d.kind());
    assertEquals(new Capabilities(false, false, false, false, false), d.capabilities());
    assertFalse(CrowdDirectories.canChangeMembership(d, "jira-software-users"));
  }

  @Test
  void readOnlyLdapWithLocalGroupsOffersTheLicenceGroupsOnly() {
    FakeCrowd crowd = new FakeCrowd();
    Set<OperationType> ops =
        EnumSet.of(
            OperationType.CREATE_GROUP, OperationType.UPDATE_GROUP, OperationType.DELETE_GROUP);
    DirectoryHeader.Directory d =
        CrowdDirectories.describe(
            crowd
                .directory(3, "AD", DirectoryType.CONNECTOR, ops)
                .withLocalGroups("jira-software-users"),
            LICENCE);
    assertFalse(d.capabilities().updateMembership(), "LDAP groups stay read-only");
    assertEquals(List.of("Jira-Core-Users", "jira-software-users"), d.localGroups());
    assertTrue(CrowdDirectories.canChangeMembership(d, "JIRA-SOFTWARE-USERS"));
    assertFalse(CrowdDirectories.canChangeMembership(d, "ldap-engineering"));
  }

  @Test
  void delegatedLdapAuthenticationIsAnInternalDirectoryThatCanRename() {
    FakeCrowd crowd = new FakeCrowd();
    DirectoryHeader.Directory d =
        CrowdDirectories.describe(
            crowd.directory(4, "Delegated", DirectoryType.DELEGATING, FakeCrowd.ALL), LICENCE);
    assertEquals(DirectoryKind.INTERNAL_WITH_LDAP_AUTH, d.kind());
    assertTrue(d.capabilities().renameUser());
    DirectoryHeader.Directory ldap =
        CrowdDirectories.describe(
            crowd.directory(5, "RW LDAP", DirectoryType.CONNECTOR, FakeCrowd.ALL), LICENCE);
    assertTrue(ldap.capabilities().updateUser());
    assertFalse(ldap.capabilities().renameUser(), "connectors take usernames from the server");
    assertEquals(DirectoryKind.OTHER, CrowdDirectories.kind(DirectoryType.CUSTOM));
    assertEquals(DirectoryKind.OTHER, CrowdDirectories.kind(null));
  }

  @Test
  void creationTimeFallsBackWhenTheDirectoryDoesNotRecordIt() {
    FakeCrowd crowd = new FakeCrowd();
    crowd.directory(1, "Internal", DirectoryType.INTERNAL, FakeCrowd.ALL);
    assertEquals(
        1_500_000_000_000L,
        CrowdDirectories.created(crowd.user("a", 1, true, 1_500_000_000_000L), 9L));
    assertEquals(9L, CrowdDirectories.created(crowd.user("b", 1, true, 0), 9L));
  }

  /**
   * {@code com.atlassian.crowd.model.user} is imported optionally: where the product does not wire
   * it, {@code created} answers the fallback instead of failing with {@code NoClassDefFoundError}.
   * Proved by loading the class where that package cannot be found.
   */
  @Test
  void withoutTheCrowdModelPackageEveryAccountCountsAsCreatedAtTheFallback() throws Exception {
    assertTrue(CrowdDirectories.TIMESTAMPS, "the mirror has the package on the test class path");
    try (URLClassLoader hiding = new HidingLoader("com.atlassian.crowd.model.user.")) {
      Class<?> directories = Class.forName(CrowdDirectories.class.getName(), true, hiding);
      Class<?> user = Class.forName("com.atlassian.crowd.embedded.api.User", false, hiding);
      assertEquals(hiding, directories.getClassLoader());
      // Another class loader is another runtime package: package access needs setAccessible.
      java.lang.reflect.Field timestamps = directories.getDeclaredField("TIMESTAMPS");
      timestamps.setAccessible(true);
      assertFalse((Boolean) timestamps.get(null));
      Object someone =
          Proxy.newProxyInstance(
              hiding,
              new Class<?>[] {user},
              (proxy, m, args) -> {
                throw new UnsupportedOperationException(m.getName());
              });
      assertEquals(
          9L, directories.getMethod("created", user, long.class).invoke(null, someone, 9L));
    }
  }

  /** The test class path, less one package (as an unwired optional import looks to a bundle). */
  private static final class HidingLoader extends URLClassLoader {
    private final String hidden;

    HidingLoader(String hidden) throws Exception {
      super(classPath(), ClassLoader.getPlatformClassLoader());
      this.hidden = hidden;
    }

    private static URL[] classPath() throws Exception {
      List<URL> urls = new ArrayList<>();
      for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
        urls.add(new File(entry).toURI().toURL());
      }
      return urls.toArray(new URL[0]);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith(hidden)) {
        throw new ClassNotFoundException(name);
      }
      return super.loadClass(name, resolve);
    }
  }
}
