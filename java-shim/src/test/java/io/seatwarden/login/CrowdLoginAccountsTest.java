package io.seatwarden.login;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.crowd.embedded.api.CrowdDirectoryService;
import com.atlassian.crowd.embedded.api.CrowdService;
import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.exception.FailedAuthenticationException;
import com.atlassian.crowd.exception.InactiveAccountException;
import com.atlassian.crowd.exception.runtime.OperationFailedException;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.LoginCheck.InactiveRefusal;
import io.seatwarden.login.LoginAccounts.Account;
import io.seatwarden.login.LoginAccounts.Credential;
import io.seatwarden.login.LoginAccounts.State;
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

  private final Map<String, Boolean> active =
      new java.util.HashMap<>(Map.of("alice", true, "bob", false, "cleo", true));
  private final List<String> resets = new ArrayList<>();
  /** Directory 2 is a cached LDAP connector; 1 is internal. */
  private final Map<String, Long> directoryOf = Map.of("bob", 2L);
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
                      if (Boolean.FALSE.equals(active.get(name))) {
                        throw new InactiveAccountException(name);
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

  private final CrowdDirectoryService directories =
      (CrowdDirectoryService)
          Proxy.newProxyInstance(
              getClass().getClassLoader(),
              new Class<?>[] {CrowdDirectoryService.class},
              (proxy, m, args) ->
                  switch (m.getName()) {
                    case "findDirectoryById" ->
                        directory(
                            (Long) args[0] == 2L ? DirectoryType.CONNECTOR : DirectoryType.INTERNAL,
                            Map.of());
                    default -> throw new UnsupportedOperationException(m.getName());
                  });

  private final CrowdLoginAccounts accounts =
      new CrowdLoginAccounts(
          crowd,
          directories,
          host,
          new LoginProduct() {
            @Override
            public boolean licensed(String username) {
              return !username.equals("cleo");
            }

            @Override
            public void resetFailedLoginCount(String username) {
              if (username.equals("down")) {
                throw new IllegalStateException("product error");
              }
              resets.add(username);
            }
          });

  @Test
  void stateComesFromCrowdTheLicenceFromTheProductAndTheOrderFromTheDirectory() {
    assertEquals(
        new Account(State.ACTIVE, InactiveRefusal.BEFORE_CREDENTIAL), accounts.account("alice"));
    assertEquals(
        new Account(State.INACTIVE, InactiveRefusal.AFTER_CREDENTIAL), accounts.account("bob"));
    assertEquals(State.UNLICENSED, accounts.account("cleo").state());
    assertEquals(Account.UNKNOWN, accounts.account("zed"));
  }

  @Test
  void theCredentialCheckReportsCrowdsAnswer() {
    assertEquals(Credential.ACCEPTED, accounts.check("alice", "pw"));
    assertEquals(Credential.NOT_ACCEPTED, accounts.check("alice", "bad"));
    assertEquals(Credential.REFUSED_INACTIVE, accounts.check("bob", "pw"));
    assertEquals(Credential.FAILED, accounts.check("down", "pw"));
  }

  @Test
  void theFailedLoginCountIsResetBestEffort() {
    accounts.resetFailedLoginCount("alice");
    accounts.resetFailedLoginCount("down");
    assertEquals(List.of("alice"), resets);
  }

  @Test
  void theDirectoryOrderFollowsCrowdsSourcePerType() {
    assertEquals(InactiveRefusal.AFTER_CREDENTIAL, DirectoryOrder.of(directory(DirectoryType.CONNECTOR, Map.of())));
    assertEquals(InactiveRefusal.BEFORE_CREDENTIAL, DirectoryOrder.of(directory(DirectoryType.INTERNAL, Map.of())));
    assertEquals(InactiveRefusal.BEFORE_CREDENTIAL, DirectoryOrder.of(directory(DirectoryType.DELEGATING, Map.of())));
    assertEquals(
        InactiveRefusal.AFTER_CREDENTIAL,
        DirectoryOrder.of(directory(DirectoryType.DELEGATING, Map.of(DirectoryOrder.UPDATE_ON_AUTH, "true"))));
    assertEquals(
        InactiveRefusal.AFTER_CREDENTIAL,
        DirectoryOrder.of(directory(DirectoryType.DELEGATING, Map.of(DirectoryOrder.CREATE_ON_AUTH, "true"))));
    assertEquals(
        InactiveRefusal.BEFORE_CREDENTIAL,
        DirectoryOrder.of(directory(DirectoryType.DELEGATING, Map.of(DirectoryOrder.UPDATE_ON_AUTH, "false"))));
    assertEquals(InactiveRefusal.BEFORE_CREDENTIAL, DirectoryOrder.of(directory(DirectoryType.CROWD, Map.of())));
    assertEquals(InactiveRefusal.BEFORE_CREDENTIAL, DirectoryOrder.of(directory(DirectoryType.CUSTOM, Map.of())));
    assertEquals(InactiveRefusal.BEFORE_CREDENTIAL, DirectoryOrder.of(null));
  }

  private static Directory directory(DirectoryType type, Map<String, String> attributes) {
    return (Directory)
        Proxy.newProxyInstance(
            CrowdLoginAccountsTest.class.getClassLoader(),
            new Class<?>[] {Directory.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getType" -> type;
                  case "getAttributes" -> attributes;
                  default -> throw new UnsupportedOperationException(m.getName());
                });
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
                  case "getDirectoryId" -> directoryOf.getOrDefault(name, 1L);
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
