package io.seatwarden.bridge;

import java.util.List;

/**
 * What {@link Seatwarden#onLogin} did.
 *
 * @param user the user's key, or null when the directory index does not know them yet
 * @param applied writes that landed
 * @param failed writes the host refused
 * @param previewed writes a safe-mode login policy would have made
 */
public record LoginOutcome(
    String user, List<Operation> applied, List<Operation> failed, List<Operation> previewed) {

  /** Whether the login reactivated the account (the reactivation filter lets the login proceed). */
  public boolean reactivated() {
    return applied.stream().anyMatch(op -> op instanceof Operation.Activate);
  }
}
