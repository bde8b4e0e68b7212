package io.seatwarden.login;

import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.crowd.embedded.api.User;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * {@link LoginAccounts} over what Jira and Confluence share: the embedded Crowd for look-ups and
 * the password check, and the product's {@link Host} adapter for activation (its permission-checked
 * services). It never reports {@link State#UNLICENSED}: licences are product-specific, so a
 * product binding that knows them wraps this.
 */
public final class CrowdLoginAccounts implements LoginAccounts {

  private final CrowdService crowd;
  private final Host host;
  private final Predicate<String> elevatedSecurity;

  /**
   * @param crowd the product's embedded Crowd
   * @param host the product's directory adapter
   * @param elevatedSecurity whether the product demands a CAPTCHA from a user now
   */
  public CrowdLoginAccounts(CrowdService crowd, Host host, Predicate<String> elevatedSecurity) {
    this.crowd = Objects.requireNonNull(crowd, "crowd");
    this.host = Objects.requireNonNull(host, "host");
    this.elevatedSecurity = Objects.requireNonNull(elevatedSecurity, "elevatedSecurity");
  }

  @Override
  public State state(String username) {
    User user = crowd.getUser(username);
    if (user == null) {
      return State.UNKNOWN;
    }
    return user.isActive() ? State.ACTIVE : State.INACTIVE;
  }

  @Override
  public boolean elevatedSecurityRequired(String username) {
    return elevatedSecurity.test(username);
  }

  @Override
  public boolean verifyPassword(String username, String password) {
    try {
      return crowd.authenticate(username, password) != null;
    } catch (Exception anyFailure) {
      // Wrong password, inactive account, expired credential, directory down: all "not verified".
      return false;
    }
  }

  @Override
  public void setActive(String username, boolean active) {
    DirectoryUser user =
        host.userByUsername(username)
            .orElseThrow(() -> new IllegalStateException("the account to change does not exist"));
    Operation operation =
        active ? new Operation.Activate(user.key()) : new Operation.Deactivate(user.key());
    OperationResult result = host.apply(operation);
    if (result instanceof OperationResult.Failed failed) {
      throw new IllegalStateException(
          "the product refused to "
              + (active ? "activate" : "deactivate")
              + " user `"
              + user.key()
              + "`: "
              + failed.reason());
    }
  }
}
