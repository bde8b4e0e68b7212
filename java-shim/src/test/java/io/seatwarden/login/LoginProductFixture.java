package io.seatwarden.login;

import com.atlassian.crowd.embedded.api.Directory;
import com.atlassian.crowd.embedded.api.DirectoryType;
import com.atlassian.crowd.embedded.api.User;
import com.atlassian.crowd.exception.FailedAuthenticationException;
import com.atlassian.crowd.exception.InactiveAccountException;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The embedded Crowd and licences of a product, for tests that go through the real binding
 * factories: who exists, their password, whether they are active and licensed, and their
 * failed-login counts (the CAPTCHA trigger). Crowd answers in the internal directory's order (an
 * inactive account refused before the password).
 */
public final class LoginProductFixture {

  private final Map<String, String> passwords = new HashMap<>();
  private final Set<String> inactive = new HashSet<>();
  public final Set<String> licensed = new HashSet<>();
  public final Map<String, Integer> failedLogins = new HashMap<>();
  public final List<String> resets = new CopyOnWriteArrayList<>();
  /** The Crowd type of the one directory: internal refuses an inactive account before the password. */
  public volatile DirectoryType directoryType = DirectoryType.INTERNAL;

  public void user(String name, String password, boolean active, boolean licensed) {
    String key = name.toLowerCase(Locale.ROOT);
    passwords.put(key, password);
    if (!active) {
      inactive.add(key);
    }
    if (licensed) {
      this.licensed.add(key);
    }
  }

  public boolean exists(String name) {
    return passwords.containsKey(name.toLowerCase(Locale.ROOT));
  }

  public boolean isLicensed(String name) {
    return licensed.contains(name.toLowerCase(Locale.ROOT));
  }

  public void reset(String name) {
    resets.add(name.toLowerCase(Locale.ROOT));
    failedLogins.remove(name.toLowerCase(Locale.ROOT));
  }

  /** The product's own login after the filter: Crowd, then the licence; failures counted. */
  public boolean productLogin(String name, String password) {
    String key = name.toLowerCase(Locale.ROOT);
    boolean ok = !inactive.contains(key) && password.equals(passwords.get(key)) && isLicensed(key);
    failedLogins.merge(key, ok ? -failedLogins.getOrDefault(key, 0) : 1, Integer::sum);
    return ok;
  }

  /** {@code CrowdService} methods the login path calls. */
  public Object crowd(String method, Object[] args) throws Exception {
    String name = ((String) args[0]).toLowerCase(Locale.ROOT);
    return switch (method) {
      case "getUser" -> exists(name) ? user(name) : null;
      case "authenticate" -> {
        if (!exists(name)) {
          throw new FailedAuthenticationException("no such user");
        }
        boolean right = passwords.get(name).equals(args[1]);
        if (directoryType == DirectoryType.CONNECTOR && !right) {
          throw new FailedAuthenticationException("bind failed"); // a connector binds first
        }
        if (inactive.contains(name)) {
          throw new InactiveAccountException(name);
        }
        if (!right) {
          throw new FailedAuthenticationException("wrong");
        }
        yield user(name);
      }
      default -> null;
    };
  }

  /** The fixture's directory. */
  public Directory directory() {
    DirectoryType type = directoryType;
    return (Directory)
        Proxy.newProxyInstance(
            LoginProductFixture.class.getClassLoader(),
            new Class<?>[] {Directory.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getType" -> type;
                  case "getAttributes" -> Map.of();
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }

  /** Reactivated by the engine's policy (through the host, in the product). */
  public void activate(String name) {
    inactive.remove(name.toLowerCase(Locale.ROOT));
  }

  public boolean isActive(String name) {
    return !inactive.contains(name.toLowerCase(Locale.ROOT));
  }

  /** An internal directory. */
  public static Directory internalDirectory() {
    return (Directory)
        Proxy.newProxyInstance(
            LoginProductFixture.class.getClassLoader(),
            new Class<?>[] {Directory.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getType" -> DirectoryType.INTERNAL;
                  case "getAttributes" -> Map.of();
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }

  private User user(String name) {
    return (User)
        Proxy.newProxyInstance(
            LoginProductFixture.class.getClassLoader(),
            new Class<?>[] {User.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "getName" -> name;
                  case "isActive" -> !inactive.contains(name);
                  case "getDirectoryId" -> 1L;
                  case "hashCode" -> name.hashCode();
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(m.getName());
                });
  }
}
