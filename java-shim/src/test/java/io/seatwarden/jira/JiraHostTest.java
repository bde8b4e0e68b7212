package io.seatwarden.jira;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.OperationType;
import com.atlassian.jira.project.Project;
import com.atlassian.jira.util.ErrorCollection;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.HostPlans;
import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.Operation.Handover;
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
import org.junit.jupiter.api.Test;

/** Jira's host: the {@link HostContract}, and what only Jira does. */
class JiraHostTest implements HostContract {
  private final FakeJira jira = new FakeJira();
  private final String admin;
  private final String alice;
  private final String bob;
  private final String carol;
  private final String ldapUser;
  private final JiraHost host;

  JiraHostTest() {
    jira.role("jira-software", "Jira Software", 3, "jira-software-users");
    jira.role("jira-servicedesk", "Jira Service Management", -1, "jira-servicedesk-users");
    jira.administerGroups.add("jira-administrators");
    jira.sysadminGroups.add("jira-system-administrators");
    admin =
        jira.user(
            "automation",
            FakeJira.INTERNAL,
            true,
            "jira-system-administrators",
            "jira-software-users");
    alice = jira.user("alice", FakeJira.INTERNAL, true, "jira-software-users", "developers");
    bob = jira.user("bob", FakeJira.INTERNAL, false, "jira-software-users");
    carol = jira.user("carol", FakeJira.INTERNAL, true);
    ldapUser = jira.user("lena", FakeJira.LDAP, true, "jira-software-users");
    jira.crowd.group("jira-administrators");
    jira.logins.put("alice", new long[] {FakeJira.NOW - 86_400_000L, 42});
    host = jira.host(admin);
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
        "jira-software-users",
        "developers",
        "jira-administrators",
        FakeJira.LDAP,
        jira.calls);
  }

  private static OperationResult.Failed failed(OperationResult r) {
    return assertInstanceOf(OperationResult.Failed.class, r);
  }

  // --- deactivation through validate + update ---------------------------------------------------

  @Test
  void deactivationGoesThroughValidateThenUpdateAsTheAutomationAccount() {
    OperationResult r = host.apply(new Operation.Deactivate(alice));
    assertEquals(OperationResult.applied(), r);
    assertEquals(List.of("validateUpdateUser", "updateUser"), jira.calls);
    assertEquals(List.of(admin), jira.validatedAs);
    assertFalse(jira.byKey(alice).isActive());
    assertNull(jira.context.getLoggedInUser(), "the job thread is left as it was");
    // Deactivating again is a no-op that asks Jira nothing.
    jira.calls.clear();
    assertEquals(OperationResult.applied(), host.apply(new Operation.Deactivate(alice)));
    assertEquals(List.of(), jira.calls);
  }

  @Test
  void aValidationErrorBecomesATypedFailureWithoutPersonalData() {
    jira.updateVetoes.put(
        alice,
        new Object[] {"Cannot deactivate alice (Name of alice): lead of project ALPHA", null});
    OperationResult.Failed f = failed(host.apply(new Operation.Deactivate(alice)));
    assertEquals(FailureKind.VETOED, f.reason());
    assertEquals("active: Cannot deactivate <user> (<user>): lead of project ALPHA", f.detail());
    assertFalse(jira.calls.contains("updateUser"), "nothing written after a refusal");
    assertTrue(jira.byKey(alice).isActive());
  }

  @Test
  void aForbiddenReasonIsAPermissionFailure() {
    jira.updateVetoes.put(
        alice, new Object[] {"You cannot edit alice", ErrorCollection.Reason.FORBIDDEN});
    OperationResult.Failed f = failed(host.apply(new Operation.Deactivate(alice)));
    assertEquals(FailureKind.PERMISSION_DENIED, f.reason());
    assertNull(f.detail());
  }

  @Test
  void withoutAnAutomationAccountNothingIsWritten() {
    OperationResult.Failed f = failed(jira.host(null).apply(new Operation.Deactivate(alice)));
    assertEquals(FailureKind.PERMISSION_DENIED, f.reason());
    assertEquals(List.of(), jira.calls);
  }

  @Test
  void aProductExceptionIsAHostFailureThatDoesNotLeakItsMessage() {
    jira.onUpdate =
        u -> {
          throw new IllegalStateException("database lost while saving alice@example.invalid");
        };
    OperationResult.Failed f = failed(host.apply(new Operation.Deactivate(alice)));
    assertEquals(FailureKind.HOST, f.reason());
    assertEquals("deactivate failed in the product (IllegalStateException)", f.detail());
    assertNull(jira.context.getLoggedInUser());
  }

  // --- read-only directory ----------------------------------------------------------------------

  @Test
  void readOnlyLdapWithLocalGroupsLetsLicenceGroupsChangeOnly() {
    jira.crowd
        .directory(3L, "AD", DirectoryType.CONNECTOR, EnumSet.of(OperationType.UPDATE_GROUP))
        .withLocalGroups("jira-software-users");
    String dave = jira.user("dave", 3L, true, "jira-software-users", "ad-engineering");
    assertEquals(
        OperationResult.applied(),
        host.apply(new Operation.RemoveFromGroup(dave, "jira-software-users")));
    assertEquals(List.of("ad-engineering"), jira.crowd.groupsOf("dave"));
    assertEquals(
        FailureKind.READ_ONLY_DIRECTORY,
        failed(host.apply(new Operation.RemoveFromGroup(dave, "ad-engineering"))).reason());
    DirectoryHeader.Directory ad =
        host.header().directories().stream().filter(d -> d.id() == 3L).findFirst().orElseThrow();
    assertEquals(List.of("jira-servicedesk-users", "jira-software-users"), ad.localGroups());
  }

  @Test
  void aLicenceGroupThatIsNotLocalAfterAllIsATypedReadOnlyRefusal() {
    jira.crowd
        .directory(3L, "AD", DirectoryType.CONNECTOR, EnumSet.of(OperationType.UPDATE_GROUP))
        .withLocalGroups();
    String dave = jira.user("dave", 3L, true, "jira-software-users");
    assertEquals(
        FailureKind.READ_ONLY_DIRECTORY,
        failed(host.apply(new Operation.RemoveFromGroup(dave, "jira-software-users"))).reason());
    assertEquals(List.of("jira-software-users"), jira.crowd.groupsOf("dave"));
    assertEquals(0, jira.licences.flushes, "nothing changed, nothing to flush");
  }

  // --- delete -----------------------------------------------------------------------------------

  @Test
  void aDeleteVetoIsATypedFailureAndTheUserStays() {
    jira.deleteVetoes.put(
        carol, "Cannot delete user 'carol' because 3 issues are assigned to Name of carol.");
    OperationResult.Failed f = failed(host.apply(new Operation.Delete(carol)));
    assertEquals(FailureKind.VETOED, f.reason());
    assertEquals(
        "Cannot delete user '<user>' because 3 issues are assigned to <user>.", f.detail());
    assertEquals(List.of("validateDeleteUser"), jira.calls);
    assertNotNull(jira.byKey(carol));
  }

  @Test
  void deleteRemovesTheUserAfterValidation() {
    assertEquals(OperationResult.applied(), host.apply(new Operation.Delete(carol)));
    assertEquals(List.of("validateDeleteUser", "removeUser"), jira.calls);
    assertNull(jira.byKey(carol));
  }

  // --- seats -------------------------------------------------------------------------------------

  @Test
  void addingToALicenceGroupWithoutAFreeSeatIsNoSeat() {
    assertEquals(
        FailureKind.NO_SEAT,
        failed(host.apply(new Operation.AddToGroup(carol, "jira-software-users"))).reason());
    assertEquals(List.of(), jira.crowd.groupsOf("carol"));
    // Unlimited licence and plain groups are not limited.
    assertEquals(
        OperationResult.applied(),
        host.apply(new Operation.AddToGroup(carol, "jira-servicedesk-users")));
    assertEquals(
        OperationResult.applied(), host.apply(new Operation.AddToGroup(carol, "developers")));
    assertEquals(List.of("developers", "jira-servicedesk-users"), jira.crowd.groupsOf("carol"));
  }

  // --- Jira's cached licence counts --------------------------------------------------------------

  private int softwareSeatsUsed(JiraHost h) {
    for (DirectoryHeader.Licence l : h.header().licences()) {
      if (l.application().equals("jira-software")) {
        return l.seatsUsed();
      }
    }
    throw new AssertionError("no jira-software licence");
  }

  @Test
  void aDeactivationFlushesJirasLicenceCacheSoTheNextSeatCountIsFresh() {
    assertEquals(3, softwareSeatsUsed(host));
    assertEquals(0, jira.licences.flushes);
    assertEquals(OperationResult.applied(), host.apply(new Operation.Deactivate(alice)));
    assertEquals(1, jira.licences.flushes, "flushed once the operation ended");
    assertFalse(host.licenceCounts().stale());
    assertEquals(2, softwareSeatsUsed(host));
    assertEquals(2, jira.licences.totalBillableUsers());
    assertEquals(1, jira.licences.flushes, "a fresh header needs no second flush");
  }

  @Test
  void aBatchOfLicenceChangesFlushesOnceWhenTheBatchEnds() {
    String dora = jira.user("dora", FakeJira.INTERNAL, true, "jira-software-users");
    JiraActingUser acting = jira.acting(admin);
    JiraHost h = new JiraHost(jira.services(), acting, java.time.Clock.systemUTC());
    assertEquals(4, softwareSeatsUsed(h));
    acting.run(
        () -> {
          assertEquals(OperationResult.applied(), h.apply(new Operation.Deactivate(alice)));
          assertEquals(
              OperationResult.applied(),
              h.apply(new Operation.RemoveFromGroup(dora, "jira-software-users")));
          assertEquals(0, jira.licences.flushes, "nothing flushed per write");
          assertTrue(h.licenceCounts().stale());
        });
    assertEquals(1, jira.licences.flushes);
    assertEquals(2, softwareSeatsUsed(h));
  }

  @Test
  void anActivationUndoneBeforeTheBatchEndsCostsNoFlush() {
    JiraLicenceCounts counts = new JiraLicenceCounts(jira.licences);
    // The login filter's opt-in probe: activate for one password check, deactivate again.
    counts.activeChanged(alice, true);
    assertTrue(counts.stale(), "a seat check inside the pair still sees fresh counts");
    counts.activeChanged(alice, false);
    assertFalse(counts.stale());
    assertFalse(counts.settle());
    assertEquals(0, jira.licences.flushes, "the pair cancels out: no recount");
    counts.activeChanged(alice, false);
    counts.activeChanged(bob, true);
    counts.activeChanged(bob, false);
    assertTrue(counts.settle(), "alice's deactivation stands: one flush");
    assertEquals(1, jira.licences.flushes);
    assertFalse(counts.stale());
  }

  @Test
  void aSeatFreedEarlierInTheSameBatchIsSeenByTheNextSeatCheck() {
    JiraActingUser acting = jira.acting(admin);
    JiraHost h = new JiraHost(jira.services(), acting, java.time.Clock.systemUTC());
    assertEquals(3, softwareSeatsUsed(h));
    acting.run(
        () -> {
          assertEquals(
              FailureKind.NO_SEAT, failed(h.apply(new Operation.Activate(bob))).reason());
          assertEquals(OperationResult.applied(), h.apply(new Operation.Deactivate(alice)));
          // Jira's cached count still says 3 of 3 until the host flushes before the check.
          assertEquals(OperationResult.applied(), h.apply(new Operation.Activate(bob)));
          assertEquals(1, jira.licences.flushes);
        });
    assertTrue(jira.byKey(bob).isActive());
    assertEquals(2, jira.licences.flushes, "the reactivation took a seat: flushed at the end");
    assertEquals(3, softwareSeatsUsed(h));
  }

  @Test
  void writesThatMoveNoSeatDoNotFlush() {
    assertEquals(3, softwareSeatsUsed(host));
    assertEquals(OperationResult.applied(), host.apply(new Operation.Deactivate(carol)));
    assertEquals(
        OperationResult.applied(), host.apply(new Operation.AddToGroup(carol, "developers")));
    assertEquals(
        OperationResult.applied(),
        host.apply(new Operation.RemoveFromGroup(bob, "jira-software-users")));
    assertEquals(OperationResult.applied(), host.apply(new Operation.Rename(alice, "alice2")));
    assertEquals(0, jira.licences.flushes);
    // A refused write moves no seat either.
    jira.updateVetoes.put(alice, new Object[] {"lead of project ALPHA", null});
    failed(host.apply(new Operation.Deactivate(alice)));
    assertEquals(0, jira.licences.flushes);
  }

  @Test
  void aFailedFlushNeverFailsTheWriteAndIsRetriedBeforeTheNextRead() {
    assertEquals(3, softwareSeatsUsed(host));
    jira.licences.failFlush = new IllegalStateException("cache node unreachable");
    assertEquals(OperationResult.applied(), host.apply(new Operation.Deactivate(alice)));
    assertFalse(jira.byKey(alice).isActive());
    assertTrue(host.licenceCounts().stale(), "kept for a retry");
    jira.licences.failFlush = null;
    assertEquals(2, softwareSeatsUsed(host));
    assertEquals(1, jira.licences.flushes);
    assertFalse(host.licenceCounts().stale());
  }

  // --- issue handover ----------------------------------------------------------------------------

  @Test
  void openIssuesGoToTheirProjectLeads() {
    Project alpha = jira.project("ALPHA", carol);
    Project beta = jira.project("BETA", admin);
    jira.issue(1L, "ALPHA-1", alpha, alice, false);
    jira.issue(2L, "BETA-7", beta, alice, false);
    jira.issue(3L, "ALPHA-2", alpha, alice, true);
    jira.issue(4L, "ALPHA-3", alpha, carol, false);
    OperationResult r = host.apply(new Operation.ReassignIssues(alice, new Handover.ProjectLead()));
    assertEquals(OperationResult.applied(), r);
    assertEquals(carol, jira.issues.get(1L).assignee);
    assertEquals(admin, jira.issues.get(2L).assignee);
    assertEquals(alice, jira.issues.get(3L).assignee, "resolved issues stay");
    assertEquals(carol, jira.issues.get(4L).assignee);
    assertEquals(
        List.of("assignee = \"alice\" AND resolution IS EMPTY ORDER BY key ASC"),
        jira.search.queries);
  }

  @Test
  void issuesWhoseLeadCannotTakeThemAreReportedAndTheRestMoved() {
    Project alpha = jira.project("ALPHA", bob); // inactive lead
    Project beta = jira.project("BETA", carol);
    jira.issue(1L, "ALPHA-1", alpha, alice, false);
    jira.issue(2L, "BETA-1", beta, alice, false);
    OperationResult.Failed f =
        failed(host.apply(new Operation.ReassignIssues(alice, new Handover.ProjectLead())));
    assertEquals(FailureKind.VETOED, f.reason());
    assertEquals(
        "1 of 2 open issues could not be handed over: issue ALPHA-1: its project has no active lead"
            + " to take it",
        f.detail());
    assertEquals(alice, jira.issues.get(1L).assignee);
    assertEquals(carol, jira.issues.get(2L).assignee);
  }

  @Test
  void manyOpenIssuesAreMovedAcrossSeveralSearchRounds() {
    Project alpha = jira.project("ALPHA", carol);
    for (long i = 1; i <= 250; i++) {
      jira.issue(i, String.format("ALPHA-%04d", i), alpha, alice, false);
    }
    assertEquals(
        OperationResult.applied(),
        host.apply(new Operation.ReassignIssues(alice, new Handover.Unassigned())));
    assertTrue(jira.issues.values().stream().allMatch(i -> i.assignee == null));
    assertTrue(jira.calls.stream().filter("search"::equals).count() >= 3);
  }

  @Test
  void theOpenIssuesQueryQuotesTheUsername() {
    assertEquals(
        "assignee = \"o\\\"b\\\\x\" AND resolution IS EMPTY ORDER BY key ASC",
        JiraIssueHandover.openIssuesOf("o\"b\\x"));
  }

  @Test
  void issuesCanGoToANamedActiveUserOnly() {
    Project alpha = jira.project("ALPHA", carol);
    jira.issue(1L, "ALPHA-1", alpha, alice, false);
    assertEquals(
        FailureKind.VETOED,
        failed(host.apply(new Operation.ReassignIssues(alice, new Handover.ToUser(bob)))).reason());
    assertEquals(
        OperationResult.applied(),
        host.apply(new Operation.ReassignIssues(alice, new Handover.ToUser(carol))));
    assertEquals(carol, jira.issues.get(1L).assignee);
  }

  // --- groups
  // -------------------------------------------------------------------------------------

  @Test
  void groupsAreCreatedAndDeletedThroughJira() {
    assertEquals(OperationResult.applied(), host.apply(new Operation.CreateGroup("contractors")));
    assertEquals(
        FailureKind.ALREADY_EXISTS,
        failed(host.apply(new Operation.CreateGroup("Contractors"))).reason());
    jira.groupDeleteVetoes.put("developers", "Group developers is used by a comment visibility");
    assertEquals(
        FailureKind.VETOED, failed(host.apply(new Operation.DeleteGroup("developers"))).reason());
    assertEquals(OperationResult.applied(), host.apply(new Operation.DeleteGroup("contractors")));
    assertNull(jira.crowd.getGroup("contractors"));
    assertEquals(
        FailureKind.NOT_FOUND,
        failed(host.apply(new Operation.DeleteGroup("contractors"))).reason());
  }

  // --- import
  // --------------------------------------------------------------------------------------

  // --- reads
  // ---------------------------------------------------------------------------------------

  @Test
  void theHeaderDescribesDirectoriesGroupsLicencesAndSysadmins() {
    DirectoryHeader h = host.header();
    assertEquals(FakeJira.NOW, h.takenAt());
    assertEquals(2, h.directories().size());
    assertEquals(
        new DirectoryHeader.Capabilities(true, true, true, true, true),
        h.directories().get(0).capabilities());
    assertEquals(
        new DirectoryHeader.Capabilities(false, false, false, false, false),
        h.directories().get(1).capabilities());
    assertEquals(
        List.of(
            new DirectoryHeader.Licence(
                "jira-servicedesk",
                "Jira Service Management",
                null,
                0,
                List.of("jira-servicedesk-users")),
            new DirectoryHeader.Licence(
                "jira-software", "Jira Software", 3, 3, List.of("jira-software-users"))),
        h.licences());
    assertTrue(h.groups().contains(new DirectoryHeader.Group("jira-administrators", true, false)));
    assertTrue(h.groups().contains(new DirectoryHeader.Group("jira-software-users", false, true)));
    assertTrue(h.groups().contains(new DirectoryHeader.Group("developers", false, false)));
    assertEquals(List.of(admin), h.sysadmins());
  }

  @Test
  void usersCarryLastLoginLoginCountAndGroups() {
    List<DirectoryUser> all = new ArrayList<>();
    String cursor = null;
    do {
      UsersPage page = host.users(cursor, 2);
      all.addAll(page.users());
      cursor = page.next();
    } while (cursor != null);
    assertEquals(
        List.of("alice", "automation", "bob", "carol", "lena"),
        all.stream().map(DirectoryUser::username).toList());
    DirectoryUser a = all.get(0);
    assertEquals(alice, a.key());
    assertEquals(FakeJira.NOW - 86_400_000L, a.lastLogin());
    assertEquals(42, a.loginCount());
    assertEquals(List.of("developers", "jira-software-users"), a.groups());
    assertEquals(FakeJira.NOW - 400L * 86_400_000L, a.created());
    DirectoryUser never = all.get(3);
    assertNull(never.lastLogin());
    assertEquals(0, never.loginCount(), "Jira counts logins: none recorded is zero");
    assertEquals(host.user(bob), host.userByUsername("BOB"));
    assertFalse(host.user(bob).orElseThrow().active());
    assertTrue(host.user("JIRAUSER1").isEmpty());
  }

  @Test
  void unreadableDirectoryIsHostUnavailable() {
    JiraServices broken =
        new JiraServices(
            jira.users,
            jira.service,
            jira.crowd,
            new io.seatwarden.product.FakeCrowd() {
              @Override
              public List<com.atlassian.crowd.embedded.api.Directory> findAllDirectories() {
                throw new IllegalStateException("db down");
              }
            },
            jira.groups,
            jira.groupService,
            jira.permissions,
            jira.roleManager,
            jira.loginService,
            jira.search,
            jira.issueService,
            jira.licences);
    JiraHost h = new JiraHost(broken, jira.acting(admin), java.time.Clock.systemUTC());
    assertThrows(HostUnavailableException.class, h::header);
    assertThrows(IllegalArgumentException.class, () -> host.users("garbage", 10));
  }


  // --- Crowd's lastAuthenticated as an activity signal ------------------------------------------

  @Test
  void aUserWhoseOnlyRecentDateIsLastAuthenticatedIsNotACandidate() {
    long day = 86_400_000L;
    // Both last logged in 120 days ago; only cara authenticated since (a password or SSO check,
    // or another application checking her against this directory). dora's value is malformed.
    String cara = jira.user("cara", FakeJira.INTERNAL, true);
    String dora = jira.user("dora", FakeJira.INTERNAL, true);
    jira.logins.put("cara", new long[] {FakeJira.NOW - 120 * day, 3});
    jira.logins.put("dora", new long[] {FakeJira.NOW - 120 * day, 3});
    jira.crowd.find("cara").attributes.put("lastAuthenticated", Long.toString(FakeJira.NOW - day));
    jira.crowd.find("dora").attributes.put("lastAuthenticated", "yesterday");

    assertEquals(
        List.of(new DirectoryHeader.Signal("lastAuthenticated", null, null)),
        host.header().signals());
    assertEquals(Arrays.asList(FakeJira.NOW - day), host.user(cara).orElseThrow().activity());
    assertEquals(Arrays.asList((Long) null), host.user(dora).orElseThrow().activity());
    int before = jira.crowd.attributeReads;
    UsersPage page = host.users(null, 100);
    assertEquals(
        before + page.users().size(),
        jira.crowd.attributeReads,
        "one attribute read per user (the embedded API has no search with attributes)");

    Map<String, Object> plan = HostPlans.liveDeactivate90(host, FakeJira.NOW);
    List<?> operations = (List<?>) plan.get("operations");
    assertTrue(operations.contains(dora + " deactivate"), plan::toString);
    assertFalse(operations.contains(cara + " deactivate"), plan::toString);
  }
}
