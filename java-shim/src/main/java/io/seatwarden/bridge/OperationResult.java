package io.seatwarden.bridge;

/** What {@link Host#apply} answers: applied, or refused with a typed reason. */
public sealed interface OperationResult {

  /** The write landed. {@code createdUser} is the new key for a create-user, else null. */
  record Applied(String createdUser) implements OperationResult {}

  /**
   * The product refused or could not apply the write.
   *
   * @param reason why
   * @param detail the product's message for {@link FailureKind#VETOED} and {@link
   *     FailureKind#HOST}; free of personal data; else null
   */
  record Failed(FailureKind reason, String detail) implements OperationResult {}

  /** Why a write failed (mirrors {@code OperationFailure}). */
  enum FailureKind {
    /** The user's directory does not allow this write. */
    READ_ONLY_DIRECTORY,
    /** The product or another app vetoed it (e.g. a delete veto). */
    VETOED,
    /** The user or group no longer exists. */
    NOT_FOUND,
    /** The acting account lacks the permission. */
    PERMISSION_DENIED,
    /** No licence seat is free. */
    NO_SEAT,
    /** The user or group already exists. */
    ALREADY_EXISTS,
    /** Any other product failure. */
    HOST
  }

  /** A success with nothing created. */
  static OperationResult applied() {
    return new Applied(null);
  }

  /** A failure with no detail. */
  static OperationResult failed(FailureKind reason) {
    return new Failed(reason, null);
  }
}
