package io.seatwarden.product;

import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.OperationResult.FailureKind;

/**
 * Turns an exception a product threw during a write into a typed failure.
 *
 * <p>Several of the products' exceptions are not part of their documented API (Confluence's {@code
 * InsufficientPrivilegeException}, {@code LicenseUserLimitExceededException}, {@code
 * UserManagementOperationFailedException}) and some wrap Crowd's; matching them by class name along
 * the cause chain keeps the plugin from linking against internals. The detail names only the action
 * and the exception's class, never its message, which can contain personal data.
 */
public final class Failures {
  private static final int MAX_CAUSES = 8;

  private Failures() {}

  /**
   * The typed failure for {@code error}, thrown while doing {@code action} (a short lowercase
   * phrase such as {@code "deactivate"}).
   */
  public static OperationResult fromException(RuntimeException error, String action) {
    Throwable t = error;
    for (int i = 0; t != null && i < MAX_CAUSES; i++, t = t.getCause()) {
      FailureKind kind = kindOf(t.getClass().getSimpleName());
      if (kind != null) {
        return OperationResult.failed(kind);
      }
    }
    return new OperationResult.Failed(
        FailureKind.HOST,
        action + " failed in the product (" + error.getClass().getSimpleName() + ")");
  }

  /** The failure kind a product exception's simple class name stands for, or null. */
  static FailureKind kindOf(String simpleName) {
    if (simpleName.contains("InsufficientPrivilege")
        || simpleName.equals("PermissionException")
        || simpleName.contains("NotAuthorised")
        || simpleName.contains("NotAuthorized")) {
      return FailureKind.PERMISSION_DENIED;
    }
    if (simpleName.contains("OperationNotPermitted") || simpleName.contains("ReadOnly")) {
      return FailureKind.READ_ONLY_DIRECTORY;
    }
    if (simpleName.contains("UserLimitExceeded")) {
      return FailureKind.NO_SEAT;
    }
    if (simpleName.equals("UserNotFoundException")
        || simpleName.equals("GroupNotFoundException")
        || simpleName.equals("EntityNotFoundException")) {
      return FailureKind.NOT_FOUND;
    }
    if (simpleName.contains("DuplicateEntity") || simpleName.contains("AlreadyExists")) {
      return FailureKind.ALREADY_EXISTS;
    }
    return null;
  }

  /** A short lowercase phrase for an operation ({@code AddToGroup} becomes "add to group"). */
  public static String verb(Operation op) {
    String name = op.getClass().getSimpleName();
    StringBuilder out = new StringBuilder();
    for (char c : name.toCharArray()) {
      if (Character.isUpperCase(c) && out.length() > 0) {
        out.append(' ');
      }
      out.append(Character.toLowerCase(c));
    }
    return out.toString();
  }
}
