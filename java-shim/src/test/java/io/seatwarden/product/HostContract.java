package io.seatwarden.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.OperationResult.FailureKind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every product host promises, whatever the product: written once, run by each product's
 * host test against its fake ({@code JiraHostTest}, {@code ConfluenceHostTest}; a third host
 * implements this interface too).
 *
 * <p>The fixture is the same shape in each product: an automation account, {@link #alice} (active,
 * in the licence group and {@link #otherGroup}), {@link #bob} (inactive, in the licence group),
 * {@link #carol} (active, no groups), {@link #ldapUser} (active, read-only directory, in the
 * licence group) and a licence of 3 seats, all taken. The product-specific tests stay in each
 * product's class (Jira's licence cache, Confluence's swallowed memberships, …).
 */
public interface HostContract {

  /** The host under test, acting as the automation account. */
  Host host();

  /** Key of an active internal user in the licence group and {@link #otherGroup}. */
  String alice();

  /** Key of an inactive internal user in the licence group. */
  String bob();

  /** Key of an active internal user in no group. */
  String carol();

  /** Key of an active user of the read-only directory, in the licence group. */
  String ldapUser();

  /** The group that grants the limited licence. */
  String licenceGroup();

  /** A group that grants nothing. */
  String otherGroup();

  /** An admin group of the product. */
  String adminGroup();

  /** The read-only directory's id. */
  long readOnlyDirectory();

  /** The writes the product's fake was asked to make, in order. */
  List<String> productWrites();

  private static OperationResult.Failed failed(OperationResult r) {
    return assertInstanceOf(OperationResult.Failed.class, r);
  }

  @Test
  default void unknownUsersAndGroupsAreNotFound() {
    assertEquals(
        FailureKind.NOT_FOUND,
        failed(host().apply(new Operation.Deactivate("no-such-key"))).reason());
    assertEquals(
        FailureKind.NOT_FOUND,
        failed(host().apply(new Operation.AddToGroup(alice(), "no-such-group"))).reason());
  }

  @Test
  default void aReadOnlyDirectoryRefusesUserWritesBeforeAskingTheProduct() {
    for (Operation op :
        List.of(
            new Operation.Deactivate(ldapUser()),
            new Operation.Rename(ldapUser(), "renamed"),
            new Operation.Delete(ldapUser()),
            new Operation.RemoveFromGroup(ldapUser(), licenceGroup()))) {
      assertEquals(FailureKind.READ_ONLY_DIRECTORY, failed(host().apply(op)).reason(), op.toString());
    }
    assertEquals(List.of(), productWrites());
    assertEquals(true, host().user(ldapUser()).orElseThrow().active());
  }

  @Test
  default void aFullLicenceRefusesReactivationAndLicenceGroupAddsOnly() {
    assertEquals(FailureKind.NO_SEAT, failed(host().apply(new Operation.Activate(bob()))).reason());
    assertEquals(
        FailureKind.NO_SEAT,
        failed(host().apply(new Operation.AddToGroup(carol(), licenceGroup()))).reason());
    assertEquals(List.of(), productWrites());
    assertEquals(
        OperationResult.applied(), host().apply(new Operation.AddToGroup(carol(), otherGroup())));
    // A seat freed: now reactivation fits.
    assertEquals(OperationResult.applied(), host().apply(new Operation.Deactivate(alice())));
    assertEquals(OperationResult.applied(), host().apply(new Operation.Activate(bob())));
    assertEquals(true, host().user(bob()).orElseThrow().active());
  }

  @Test
  default void adminGroupsAreNeverDeletedAndGroupNamesIgnoreCase() {
    assertEquals(
        FailureKind.VETOED,
        failed(host().apply(new Operation.DeleteGroup(adminGroup().toUpperCase()))).reason());
    assertEquals(OperationResult.applied(), host().apply(new Operation.CreateGroup("temp")));
    assertEquals(
        FailureKind.ALREADY_EXISTS,
        failed(host().apply(new Operation.CreateGroup("TEMP"))).reason());
    assertEquals(OperationResult.applied(), host().apply(new Operation.DeleteGroup("temp")));
  }

  @Test
  default void importCreatesUsersAsAskedAndUpdatesOnlyTheFieldsGiven() {
    OperationResult.Applied created =
        assertInstanceOf(
            OperationResult.Applied.class,
            host()
                .apply(
                    new Operation.CreateUser(
                        "erin", "Erin Example", "erin@example.invalid", null, false)));
    DirectoryUser erin = host().userByUsername("erin").orElseThrow();
    assertEquals(created.createdUser(), erin.key());
    assertFalse(erin.active());
    assertEquals(
        FailureKind.ALREADY_EXISTS,
        failed(host().apply(new Operation.CreateUser("ERIN", "x", "y", null, true))).reason());
    assertEquals(
        FailureKind.READ_ONLY_DIRECTORY,
        failed(
                host()
                    .apply(
                        new Operation.CreateUser(
                            "fred", "Fred", "f@example.invalid", readOnlyDirectory(), true)))
            .reason());
    assertEquals(
        OperationResult.applied(),
        host().apply(new Operation.UpdateUser(erin.key(), "Erin E.", null)));
    DirectoryUser updated = host().user(erin.key()).orElseThrow();
    assertEquals("Erin E.", updated.displayName());
    assertEquals("erin@example.invalid", updated.email());
    assertEquals(OperationResult.applied(), host().apply(new Operation.Rename(erin.key(), "erin2")));
    assertEquals(erin.key(), host().userByUsername("erin2").orElseThrow().key());
    assertEquals(
        FailureKind.ALREADY_EXISTS,
        failed(host().apply(new Operation.Rename(alice(), "ERIN2"))).reason());
  }
}
