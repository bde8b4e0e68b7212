package io.seatwarden.product;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.OperationResult.FailureKind;
import org.junit.jupiter.api.Test;

class FailuresTest {
  /** Stands in for Confluence's unchecked privilege exception (matched by simple name). */
  static final class InsufficientPrivilegeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InsufficientPrivilegeException(String message) {
      super(message);
    }
  }

  /** Stands in for Confluence's wrapper of Crowd failures. */
  static final class UserManagementOperationFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserManagementOperationFailedException(Throwable cause) {
      super(cause);
    }
  }

  static final class OperationNotPermittedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @Test
  void classifiesByTheExceptionAndItsCauses() {
    assertEquals(
        OperationResult.failed(FailureKind.PERMISSION_DENIED),
        Failures.fromException(new InsufficientPrivilegeException("jdoe"), "deactivate"));
    assertEquals(
        OperationResult.failed(FailureKind.READ_ONLY_DIRECTORY),
        Failures.fromException(
            new UserManagementOperationFailedException(new OperationNotPermittedException()),
            "add to group"));
  }

  @Test
  void anythingElseIsAHostFailureWithoutTheMessage() {
    OperationResult r =
        Failures.fromException(new IllegalStateException("user jdoe@corp.example broke"), "rename");
    OperationResult.Failed f = (OperationResult.Failed) r;
    assertEquals(FailureKind.HOST, f.reason());
    assertEquals("rename failed in the product (IllegalStateException)", f.detail());
    assertFalse(f.detail().contains("jdoe"));
  }

  @Test
  void namesOperationsInWords() {
    assertEquals("add to group", Failures.verb(new Operation.AddToGroup("k", "g")));
    assertEquals("deactivate", Failures.verb(new Operation.Deactivate("k")));
  }
}
