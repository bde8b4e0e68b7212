package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.exception.FailedAuthenticationException;
import com.atlassian.crowd.exception.runtime.OperationFailedException;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.UsersPage;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CrowdLoginAccountsTest {

  private final Map<String, Boolean> active = new java.util.HashMap<>(Map.of("alice", true, "bob", false));
  private final List<Operation> applied = new ArrayList<>();
  private OperationResult answer = OperationResult.applied();

  private final CrowdService crowd =
      (CrowdService)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {CrowdService.class},
              (proxy, m, args) ->
                  switch (m.getName()) {
                    case "getUser" -> active.containsKey((String) args[0]) ? user((String) args[0]) : null;
                    case "authenticate" -> {
                      String name = (String) args[0];
                      if (name.equals("down")) {
                        throw new OperationFailedException("LDAP unreachable");
                      }
                      if (!"pw".equals(args[1])) {
                        throw new FailedAuthenticationException("wrong");
                      }
                      yield user(name);
                    }
                    default -> throw new UnsupportedOperationException(m.getName());
                  });

  private final Host host =
      new Host() {
        @Override
        public DirectoryHeader header() {
          throw new UnsupportedOperationException();
        }

        @Override
        public UsersPage users(String cursor, int limit) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Optional<DirectoryUser> user(String key) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Optional<DirectoryUser> userByUsername(String username) {
          return active.containsKey(username)
              ? Optional.of(
                  new DirectoryUser(
                      "key-" + username, username, username, null, 1, active.get(username), 0, null, null, null, List.of()))
              : Optional.empty();
        }

        @Override
        public OperationResult apply(Operation operation) {
          applied.add(operation);
          return answer;
        }
      };

  private final CrowdLoginAccounts accounts =
      new CrowdLoginAccounts(crowd, host, name -> name.equals("bob"));

  @Test
  void stateComesFromCrowd() {
    assertEquals(LoginAccounts.State.ACTIVE, accounts.state("alice"));
    assertEquals(LoginAccounts.State.INACTIVE, accounts.state("bob"));
    assertEquals(LoginAccounts.State.UNKNOWN, accounts.state("zed"));
    assertTrue(accounts.elevatedSecurityRequired("bob"));
  }

  @Test
  void passwordCheckIsCrowdsAndEveryFailureIsFalse() {
    assertTrue(accounts.verifyPassword("alice", "pw"));
    assertFalse(accounts.verifyPassword("alice", "bad"));
    assertFalse(accounts.verifyPassword("down", "pw"));
  }

  @Test
  void activationGoesThroughTheHostByKey() {
    accounts.setActive("bob", true);
    accounts.setActive("bob", false);
    assertEquals(List.of(new Operation.Activate("key-bob"), new Operation.Deactivate("key-bob")), applied);
    answer = OperationResult.failed(OperationResult.FailureKind.READ_ONLY_DIRECTORY);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> accounts.setActive("bob", true));
    assertTrue(e.getMessage().contains("READ_ONLY_DIRECTORY"));
    assertTrue(e.getMessage().contains("`key-bob`"), "names the key, not the username");
    assertThrows(IllegalStateException.class, () -> accounts.setActive("zed", true));
  }

  private User user(String name) {
    return (User)
        Proxy.newProxyInstance(
            CrowdLoginAccountsTest.class.getClassLoader(),
            new Class<?>[] {User.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getName" -> name;
                  case "isActive" -> active.getOrDefault(name, true);
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
