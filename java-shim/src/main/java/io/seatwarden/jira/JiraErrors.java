package io.seatwarden.jira;

import com.atlassian.jira.util.ErrorCollection;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.OperationResult.FailureKind;
import io.seatwarden.product.Redaction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Jira validation result's errors into a typed failure.
 *
 * <p>Jira services report refusals as an {@link ErrorCollection}: messages, field errors and, since
 * Jira 6, a set of {@link ErrorCollection.Reason}s. The reason decides the kind (a permission
 * problem is not a veto); the messages become the detail, scrubbed of the people involved. A
 * refusal without a usable reason is a veto: the product or another app said no.
 */
final class JiraErrors {
  private JiraErrors() {}

  /** The failure for a refused validation; {@code personal} are the involved users' identifiers. */
  static OperationResult refused(ErrorCollection errors, Collection<String> personal) {
    FailureKind kind = FailureKind.VETOED;
    Set<ErrorCollection.Reason> reasons = errors == null ? null : errors.getReasons();
    if (reasons != null) {
      for (ErrorCollection.Reason reason : reasons) {
        kind = stronger(kind, kindOf(reason));
      }
    }
    if (kind == FailureKind.PERMISSION_DENIED || kind == FailureKind.NOT_FOUND) {
      return OperationResult.failed(kind);
    }
    String detail = Redaction.scrubAll(messages(errors), personal);
    if (detail == null) {
      detail = "the product refused the change without a message";
    }
    return new OperationResult.Failed(kind, detail);
  }

  /** Every message of {@code errors}, field errors as {@code field: message}. */
  static List<String> messages(ErrorCollection errors) {
    List<String> out = new ArrayList<>();
    if (errors == null) {
      return out;
    }
    Collection<String> messages = errors.getErrorMessages();
    if (messages != null) {
      out.addAll(messages);
    }
    Map<String, String> fields = errors.getErrors();
    if (fields != null) {
      for (Map.Entry<String, String> e : fields.entrySet()) {
        out.add(e.getKey() + ": " + e.getValue());
      }
    }
    return out;
  }

  private static FailureKind kindOf(ErrorCollection.Reason reason) {
    if (reason == null) {
      return FailureKind.VETOED;
    }
    // A switch (not ==) so that a constant missing from this Jira's enum cannot break linking.
    switch (reason) {
      case NOT_LOGGED_IN:
      case FORBIDDEN:
        return FailureKind.PERMISSION_DENIED;
      case NOT_FOUND:
        return FailureKind.NOT_FOUND;
      case SERVER_ERROR:
        return FailureKind.HOST;
      default:
        return FailureKind.VETOED;
    }
  }

  private static FailureKind stronger(FailureKind a, FailureKind b) {
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(FailureKind kind) {
    switch (kind) {
      case PERMISSION_DENIED:
        return 3;
      case NOT_FOUND:
        return 2;
      case HOST:
        return 1;
      default:
        return 0;
    }
  }
}
