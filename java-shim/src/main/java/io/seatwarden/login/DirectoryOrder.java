package io.seatwarden.login;

import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.DirectoryType;
import io.seatwarden.bridge.LoginCheck.InactiveRefusal;
import java.util.Map;

/**
 * Where, in Crowd's order of checks, a directory refuses an inactive account: read from the
 * directory's type and configuration. Sources (Crowd, original and decompiled, in
 * {@code docs/login-reactivation.md} §1.3):
 *
 * <ul>
 *   <li>internal ({@code AbstractInternalDirectory}): inactive refused before the password;
 *   <li>delegated LDAP ({@code DelegatedAuthenticationDirectory}) without create- or
 *       update-on-authentication: the internal copy's inactive flag refused before the bind; with
 *       either attribute ({@value #CREATE_ON_AUTH}, {@value #UPDATE_ON_AUTH}) it binds first;
 *   <li>LDAP connector (cached, {@code DbCachingRemoteDirectory}): binds first, then refuses the
 *       local inactive copy.
 * </ul>
 *
 * <p>Anything else (a remote Crowd server, whose own directory may refuse before the password; a
 * custom directory) is read as refusing before the password: the safe reading, since it only
 * withholds the proof.
 */
public final class DirectoryOrder {

  /** Crowd's delegated-directory attribute: create the user on authentication. */
  public static final String CREATE_ON_AUTH = "crowd.delegated.directory.auto.create.user";

  /** Crowd's delegated-directory attribute: update the user on authentication. */
  public static final String UPDATE_ON_AUTH = "crowd.delegated.directory.auto.update.user";

  private DirectoryOrder() {}

  /** The refusal order of {@code directory} (null: unknown, read as before the credential). */
  public static InactiveRefusal of(Directory directory) {
    if (directory == null) {
      return InactiveRefusal.BEFORE_CREDENTIAL;
    }
    DirectoryType type = directory.getType();
    if (type == DirectoryType.CONNECTOR) {
      return InactiveRefusal.AFTER_CREDENTIAL;
    }
    if (type == DirectoryType.DELEGATING) {
      Map<String, String> attributes = directory.getAttributes();
      if (attributes != null
          && (Boolean.parseBoolean(attributes.get(CREATE_ON_AUTH))
              || Boolean.parseBoolean(attributes.get(UPDATE_ON_AUTH)))) {
        return InactiveRefusal.AFTER_CREDENTIAL;
      }
    }
    return InactiveRefusal.BEFORE_CREDENTIAL;
  }
}
