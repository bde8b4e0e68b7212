package io.seatwarden.confluence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.confluence.security.SpacePermission;
import com.atlassian.confluence.user.AuthenticatedUserThreadLocal;
import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.OperationType;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.HostPlans;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult.FailureKind;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.UsersPage;
import io.seatwarden.product.HostContract;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Confluence's host: the {@link HostContract}, and what only Confluence does. */
class ConfluenceHostTest implements HostContract {
  private final FakeConfluence confluence = new FakeConfluence();
  private final String admin;
  private final String alice;
  private final String bob;
  private final String carol;
  private final String ldapUser;
  private final ConfluenceHost host;

  ConfluenceHostTest() {
    confluence.grant(SpacePermission.USE_CONFLUENCE_PERMISSION, "confluence-users");
    confluence.grant(SpacePermission.SYSTEM_ADMINISTRATOR_PERMISSION, "site-admins");
    admin =
        confluence.user(
            "automation",
            FakeConfluence.INTERNAL,
            true,
            "confluence-administrators",
            "confluence-users");
    alice = confluence.user("alice", FakeConfluence.INTERNAL, true, "confluence-users", "writers");
    bob = confluence.user("bob", FakeConfluence.INTERNAL, false, "confluence-users");
    carol = confluence.user("carol", FakeConfluence.INTERNAL, true);
    ldapUser = confluence.user("lena", FakeConfluence.LDAP, true, "confluence-users");
    confluence.lastLogins.put("alice", FakeConfluence.NOW - 3_600_000L);
    host = confluence.host(admin);
  }

  // --- the host contract, over this fake ------------------------------------------------------

  @Override
  public Fixture contract() {
    return new Fixture(
        host,
        alice,
        bob,
        carol,
        ldapUser,
        "confluence-users",
        "writers",
        "confluence-administrators",
        FakeConfluence.LDAP,
        confluence.writes);
  }

  @AfterEach
  void threadLocalLeftClean() {
    assertNull(AuthenticatedUserThreadLocal.get());
  }

  private static OperationResult.Failed failed(OperationResult r) {
    return assertInstanceOf(OperationResult.Failed.class, r);
  }

  @Test
  void usersHaveTheirLastLoginButNoLoginCount() {
    List<DirectoryUser> all = new ArrayList<>();
    String cursor = null;
    do {
      UsersPage page = host.users(cursor, 3);
      all.addAll(page.users());
      cursor = page.next();
    } while (cursor != null);
    assertEquals(
        List.of("alice", "automation", "bob", "carol", "lena"),
        all.stream().map(DirectoryUser::username).toList());
    DirectoryUser a = all.get(0);
    assertEquals(alice, a.key());
    assertEquals(FakeConfluence.NOW - 3_600_000L, a.lastLogin());
    assertNull(a.loginCount(), "Confluence does not count logins: the engine's fallback applies");
    assertEquals(List.of("confluence-users", "writers"), a.groups());
    assertFalse(all.get(2).active());
    assertNull(all.get(3).lastLogin());
    assertNull(all.get(3).loginCount());
    assertEquals(host.user(alice), host.userByUsername("ALICE"));
  }

  @Test
  void deactivationAndReactivationRunAsTheAutomationAccount() {
    assertEquals(OperationResult.applied(), host.apply(new Operation.Deactivate(alice)));
    assertFalse(host.user(alice).orElseThrow().active());
    assertEquals(OperationResult.applied(), host.apply(new Operation.Activate(alice)));
    assertTrue(host.user(alice).orElseThrow().active());
    assertEquals(List.of("deactivateUser", "reactivateUser"), confluence.writes);
  }

  @Test
  void anAccountWithoutTheRightPermissionIsRefusedAsSuch() {
    OperationResult.Failed f =
        failed(confluence.host(carol).apply(new Operation.Deactivate(alice)));
    assertEquals(FailureKind.PERMISSION_DENIED, f.reason());
    assertTrue(host.user(alice).orElseThrow().active());
  }

  @Test
  void readOnlyLdapWithLocalGroupsLetsItsLocalLicenceGroupChangeOnly() {
    confluence
        .crowd
        .directory(3L, "AD", DirectoryType.CONNECTOR, EnumSet.of(OperationType.UPDATE_GROUP))
        .withLocalGroups("confluence-users");
    String dave = confluence.user("dave", 3L, true, "confluence-users", "ad-engineering");
    assertEquals(
        OperationResult.applied(),
        host.apply(new Operation.RemoveFromGroup(dave, "confluence-users")));
    assertEquals(List.of("ad-engineering"), confluence.crowd.groupsOf("dave"));
    // An LDAP group is refused before Confluence is asked.
    assertEquals(
        FailureKind.READ_ONLY_DIRECTORY,
        failed(host.apply(new Operation.RemoveFromGroup(dave, "ad-engineering"))).reason());
    assertEquals(List.of("removeMembership"), confluence.writes);
    assertEquals(List.of("ad-engineering"), confluence.crowd.groupsOf("dave"));
  }

  @Test
  void aLicenceGroupThatIsNotLocalAfterAllIsATypedReadOnlyRefusal() {
    // Local groups are on, but the licence group lives in LDAP: the inference is wrong and
    // Confluence drops the write; it must come back as read-only, never as success.
    confluence
        .crowd
        .directory(3L, "AD", DirectoryType.CONNECTOR, EnumSet.of(OperationType.UPDATE_GROUP))
        .withLocalGroups();
    String dave = confluence.user("dave", 3L, true, "confluence-users");
    OperationResult.Failed f =
        failed(host.apply(new Operation.RemoveFromGroup(dave, "confluence-users")));
    assertEquals(FailureKind.READ_ONLY_DIRECTORY, f.reason());
    assertEquals("the group is not one of the read-only directory's local groups", f.detail());
    assertEquals(List.of("confluence-users"), confluence.crowd.groupsOf("dave"));
  }

  @Test
  void issueHandoverIsJiraOnly() {
    OperationResult.Failed f =
        failed(
            host.apply(new Operation.ReassignIssues(alice, new Operation.Handover.Unassigned())));
    assertEquals(new OperationResult.Failed(FailureKind.HOST, "issue handover is Jira-only"), f);
  }

  @Test
  void aMembershipWriteTheProductSwallowedIsReported() {
    confluence.swallowMemberships = true;
    OperationResult.Failed f =
        failed(host.apply(new Operation.AddToGroup(alice, "reviewers-missing")));
    assertEquals(FailureKind.NOT_FOUND, f.reason());
    confluence.crowd.group("reviewers");
    f = failed(host.apply(new Operation.AddToGroup(alice, "reviewers")));
    assertEquals(FailureKind.HOST, f.reason());
    assertEquals("the product did not add the membership", f.detail());
    f = failed(host.apply(new Operation.RemoveFromGroup(alice, "writers")));
    assertEquals("the product did not remove the membership", f.detail());
  }

  @Test
  void deleteIsRefusedWhenConfluenceWillNotRemoveTheAccount() {
    confluence.inSeveralDirectories.add("carol");
    assertEquals(FailureKind.VETOED, failed(host.apply(new Operation.Delete(carol))).reason());
    confluence.inSeveralDirectories.clear();
    assertEquals(OperationResult.applied(), host.apply(new Operation.Delete(carol)));
    assertTrue(host.user(carol).isEmpty());
  }

  @Test
  void aSystemAdministratorsGroupIsAnAdminGroupToo() {
    assertEquals(
        FailureKind.VETOED, failed(host.apply(new Operation.DeleteGroup("site-admins"))).reason());
  }

  @Test
  void theHeaderCarriesTheLicenceGroupsAdminsAndSysadmins() {
    confluence.counting = true;
    confluence.crowd.member("carol", "site-admins");
    DirectoryHeader h = host.header();
    assertEquals(
        List.of(
            new DirectoryHeader.Licence(
                "confluence", "Confluence", 3, 3, List.of("confluence-users"))),
        h.licences());
    assertTrue(h.groups().contains(new DirectoryHeader.Group("confluence-users", false, true)));
    assertTrue(
        h.groups().contains(new DirectoryHeader.Group("confluence-administrators", true, false)));
    assertTrue(h.groups().contains(new DirectoryHeader.Group("site-admins", true, false)));
    assertEquals(List.of(admin, carol), h.sysadmins());
    assertEquals(2, h.directories().size());
    confluence.noLicence = true;
    assertEquals(List.of(), host.header().licences());
  }


  // --- Crowd's lastAuthenticated as an activity signal ------------------------------------------

  @Test
  void aUserWhoseOnlyRecentDateIsLastAuthenticatedIsNotACandidate() {
    long day = 86_400_000L;
    // Both last logged in 120 days ago; only cara authenticated since (a password or SSO check,
    // or another application checking her against this directory). dora's value is malformed.
    String cara = confluence.user("cara", FakeConfluence.INTERNAL, true);
    String dora = confluence.user("dora", FakeConfluence.INTERNAL, true);
    confluence.lastLogins.put("cara", FakeConfluence.NOW - 120 * day);
    confluence.lastLogins.put("dora", FakeConfluence.NOW - 120 * day);
    confluence.crowd.find("cara").attributes.put("lastAuthenticated", Long.toString(FakeConfluence.NOW - day));
    confluence.crowd.find("dora").attributes.put("lastAuthenticated", "yesterday");

    assertEquals(
        List.of(new DirectoryHeader.Signal("lastAuthenticated", null, null)),
        host.header().signals());
    assertEquals(Arrays.asList(FakeConfluence.NOW - day), host.user(cara).orElseThrow().activity());
    assertEquals(Arrays.asList((Long) null), host.user(dora).orElseThrow().activity());
    int before = confluence.crowd.attributeReads;
    UsersPage page = host.users(null, 100);
    assertEquals(
        before + page.users().size(),
        confluence.crowd.attributeReads,
        "one attribute read per user (the embedded API has no search with attributes)");

    Map<String, Object> plan = HostPlans.liveDeactivate90(host, FakeConfluence.NOW);
    List<?> operations = (List<?>) plan.get("operations");
    assertTrue(operations.contains(dora + " deactivate"), plan::toString);
    assertFalse(operations.contains(cara + " deactivate"), plan::toString);
  }
}
