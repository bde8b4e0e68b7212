package io.seatwarden.login;

import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.exception.FailedAuthenticationException;
import com.atlassian.crowd.exception.InactiveAccountException;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LoginAccounts} over what Jira and Confluence share: the embedded Crowd for look-ups and
 * the credential check, Crowd's directory configuration for the order of its checks ({@link
 * DirectoryOrder}), the product's {@link Host} adapter for activation (its permission-checked
 * services) and a {@link LoginProduct} for licences and the failed-login count.
 */
public final class CrowdLoginAccounts implements LoginAccounts {

  private static final Logger LOG = LoggerFactory.getLogger(CrowdLoginAccounts.class);

  private final CrowdService crowd;
  private final CrowdDirectoryService directories;
  private final Host host;
  private final LoginProduct product;

  /**
   * @param crowd the product's embedded Crowd
   * @param directories its directory configuration
   * @param host the product's directory adapter
   * @param product licences and failed-login counts of this product
   */
  public CrowdLoginAccounts(
      CrowdService crowd, CrowdDirectoryService directories, Host host, LoginProduct product) {
    this.crowd = Objects.requireNonNull(crowd, "crowd");
    this.directories = Objects.requireNonNull(directories, "directories");
    this.host = Objects.requireNonNull(host, "host");
    this.product = Objects.requireNonNull(product, "product");
  }

  @Override
  public Account account(String username) {
    User user = crowd.getUser(username);
    if (user == null) {
      return Account.UNKNOWN;
    }
    if (!user.isActive()) {
      return new Account(
          State.INACTIVE, DirectoryOrder.of(directories.findDirectoryById(user.getDirectoryId())));
    }
    State state = product.licensed(user.getName()) ? State.ACTIVE : State.UNLICENSED;
    return new Account(state, DirectoryOrder.of(null));
  }

  @Override
  public Credential check(String username, String password) {
    try {
      return crowd.authenticate(username, password) != null
          ? Credential.ACCEPTED
          : Credential.NOT_ACCEPTED;
    } catch (InactiveAccountException inactive) {
      // Crowd's application service rethrows it from the user's directory rather than trying the
      // next one (ApplicationServiceGeneric.authenticateUser, docs/login-reactivation.md §1.3).
      return Credential.REFUSED_INACTIVE;
    } catch (FailedAuthenticationException notAccepted) {
      return Credential.NOT_ACCEPTED;
    } catch (RuntimeException failure) {
      // Directory down (Crowd's runtime OperationFailedException) or anything unexpected.
      return Credential.FAILED;
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

  @Override
  public void resetFailedLoginCount(String username) {
    try {
      product.resetFailedLoginCount(username);
    } catch (RuntimeException e) {
      LOG.warn("Seatwarden could not reset a failed-login count: {}", e.getClass().getName());
    }
  }
}
