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
 * <p>The fixture is the same shape in each product: an automation account, {@code alice} (active,
 * in the licence group and {@code otherGroup}), {@code bob} (inactive, in the licence group),
 * {@code carol} (active, no groups), {@code ldapUser} (active, read-only directory, in the
 * licence group) and a licence of 3 seats, all taken. The product-specific tests stay in each
 * product's class (Jira's licence cache, Confluence's swallowed memberships, …).
 */
public interface HostContract {

  /**
   * One product's fixture, in the contract's terms.
   *
   * @param host the host under test, acting as the automation account
   * @param alice key of an active internal user in the licence group and {@code otherGroup}
   * @param bob key of an inactive internal user in the licence group
   * @param carol key of an active internal user in no group
   * @param ldapUser key of an active user of the read-only directory, in the licence group
   * @param licenceGroup the group that grants the limited licence
   * @param otherGroup a group that grants nothing
   * @param adminGroup an admin group of the product
   * @param readOnlyDirectory the read-only directory's id
   * @param productWrites the writes the product's fake was asked to make, in order (live)
   */
  record Fixture(
      Host host,
      String alice,
      String bob,
      String carol,
      String ldapUser,
      String licenceGroup,
      String otherGroup,
      String adminGroup,
      long readOnlyDirectory,
      List<String> productWrites) {}

  /** This product's fixture (fresh for each test, as JUnit makes a fresh test instance). */
  Fixture contract();

  private static OperationResult.Failed failed(OperationResult r) {
    return assertInstanceOf(OperationResult.Failed.class, r);
  }

  @Test
  default void unknownUsersAndGroupsAreNotFound() {
    Fixture f = contract();
    assertEquals(
        FailureKind.NOT_FOUND,
        failed(f.host().apply(new Operation.Deactivate("no-such-key"))).reason());
    assertEquals(
        FailureKind.NOT_FOUND,
        failed(f.host().apply(new Operation.AddToGroup(f.alice(), "no-such-group"))).reason());
  }

  @Test
  default void aReadOnlyDirectoryRefusesUserWritesBeforeAskingTheProduct() {
    Fixture f = contract();
    for (Operation op :
        List.of(
            new Operation.Deactivate(f.ldapUser()),
            new Operation.Rename(f.ldapUser(), "renamed"),
            new Operation.Delete(f.ldapUser()),
            new Operation.RemoveFromGroup(f.ldapUser(), f.licenceGroup()))) {
      assertEquals(
          FailureKind.READ_ONLY_DIRECTORY, failed(f.host().apply(op)).reason(), op.toString());
    }
    assertEquals(List.of(), f.productWrites());
    assertEquals(true, f.host().user(f.ldapUser()).orElseThrow().active());
  }

  @Test
  default void aFullLicenceRefusesReactivationAndLicenceGroupAddsOnly() {
    Fixture f = contract();
    assertEquals(
        FailureKind.NO_SEAT, failed(f.host().apply(new Operation.Activate(f.bob()))).reason());
    assertEquals(
        FailureKind.NO_SEAT,
        failed(f.host().apply(new Operation.AddToGroup(f.carol(), f.licenceGroup()))).reason());
    assertEquals(List.of(), f.productWrites());
    assertEquals(
        OperationResult.applied(),
        f.host().apply(new Operation.AddToGroup(f.carol(), f.otherGroup())));
    // A seat freed: now reactivation fits.
    assertEquals(OperationResult.applied(), f.host().apply(new Operation.Deactivate(f.alice())));
    assertEquals(OperationResult.applied(), f.host().apply(new Operation.Activate(f.bob())));
    assertEquals(true, f.host().user(f.bob()).orElseThrow().active());
  }

  @Test
  default void adminGroupsAreNeverDeletedAndGroupNamesIgnoreCase() {
    Fixture f = contract();
    assertEquals(
        FailureKind.VETOED,
        failed(f.host().apply(new Operation.DeleteGroup(f.adminGroup().toUpperCase()))).reason());
    assertEquals(OperationResult.applied(), f.host().apply(new Operation.CreateGroup("temp")));
    assertEquals(
        FailureKind.ALREADY_EXISTS,
        failed(f.host().apply(new Operation.CreateGroup("TEMP"))).reason());
    assertEquals(OperationResult.applied(), f.host().apply(new Operation.DeleteGroup("temp")));
  }

  @Test
  default void importCreatesUsersAsAskedAndUpdatesOnlyTheFieldsGiven() {
    Fixture f = contract();
    OperationResult.Applied created =
        assertInstanceOf(
            OperationResult.Applied.class,
            f.host()
                .apply(
                    new Operation.CreateUser(
                        "erin", "Erin Example", "erin@example.invalid", null, false)));
    DirectoryUser erin = f.host().userByUsername("erin").orElseThrow();
    assertEquals(created.createdUser(), erin.key());
    assertFalse(erin.active());
    assertEquals(
        FailureKind.ALREADY_EXISTS,
        failed(f.host().apply(new Operation.CreateUser("ERIN", "x", "y", null, true))).reason());
    assertEquals(
        FailureKind.READ_ONLY_DIRECTORY,
        failed(
                f.host()
                    .apply(
                        new Operation.CreateUser(
                            "fred", "Fred", "f@example.invalid", f.readOnlyDirectory(), true)))
            .reason());
    assertEquals(
        OperationResult.applied(),
        f.host().apply(new Operation.UpdateUser(erin.key(), "Erin E.", null)));
    DirectoryUser updated = f.host().user(erin.key()).orElseThrow();
    assertEquals("Erin E.", updated.displayName());
    assertEquals("erin@example.invalid", updated.email());
    assertEquals(
        OperationResult.applied(), f.host().apply(new Operation.Rename(erin.key(), "erin2")));
    assertEquals(erin.key(), f.host().userByUsername("erin2").orElseThrow().key());
    assertEquals(
        FailureKind.ALREADY_EXISTS,
        failed(f.host().apply(new Operation.Rename(f.alice(), "ERIN2"))).reason());
  }
}
