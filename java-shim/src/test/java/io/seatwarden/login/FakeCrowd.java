package io.seatwarden.login;

import io.seatwarden.bridge.LoginCheck.InactiveRefusal;
import io.seatwarden.plugin.FakeActingUser;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A product over an embedded Crowd for the reactivation tests, following Crowd's documented order
 * of checks per directory type ({@code docs/login-reactivation.md} §1.3):
 *
 * <ul>
 *   <li>{@link Kind#INTERNAL} and {@link Kind#DELEGATED} (no create/update on authentication): an
 *       inactive account is refused before the password is looked at;
 *   <li>{@link Kind#DELEGATED_UPDATE} and {@link Kind#CONNECTOR}: the credential is checked (LDAP
 *       bind) first, and only then is the still-inactive account refused.
 * </ul>
 *
 * <p>It counts what an anonymous login may cost the product (user updates, each with the licence
 * recount Jira's host makes after a change: {@link #licenceFlushes}), checks every change is made
 * as the automation account, and has kill points: {@link #killAt} makes the step throw {@link
 * NodeDied}, an {@link Error} nothing in the filter catches, like a JVM that stops there.
 */
final class FakeCrowd implements LoginAccounts {

  /** Directory types, by Crowd's order of checks. */
  enum Kind {
    INTERNAL(InactiveRefusal.BEFORE_CREDENTIAL),
    DELEGATED(InactiveRefusal.BEFORE_CREDENTIAL),
    DELEGATED_UPDATE(InactiveRefusal.AFTER_CREDENTIAL),
    CONNECTOR(InactiveRefusal.AFTER_CREDENTIAL);

    final InactiveRefusal refusal;

    Kind(InactiveRefusal refusal) {
      this.refusal = refusal;
    }
  }

  /** Steps where the node can die. */
  enum Step {
    /** Right after an activation landed. */
    ACTIVATED,
    /** Right after Crowd answered a credential check. */
    AUTHENTICATED,
    /** Right after a deactivation landed. */
    DEACTIVATED
  }

  /** The node stopped at a kill point. */
  static final class NodeDied extends Error {
    private static final long serialVersionUID = 1L;

    NodeDied(Step step) {
      super("node died at " + step);
    }
  }

  private static final class Person {
    final String password;
    final Kind kind;
    boolean active;
    boolean licensed;
    int failedLogins;

    Person(String password, Kind kind, boolean active, boolean licensed) {
      this.password = password;
      this.kind = kind;
      this.active = active;
      this.licensed = licensed;
    }
  }

  private final Map<String, Person> people = new HashMap<>();
  private final FakeActingUser acting;
  /** "activate alice", "authenticate alice", "reset alice", in order. */
  final List<String> log = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger userUpdates = new AtomicInteger();
  final AtomicInteger licenceFlushes = new AtomicInteger();
  final AtomicInteger lookups = new AtomicInteger();
  volatile Step killAt;
  /** Set once a kill point fired: every later call fails, as on a stopped node. */
  volatile boolean dead;
  /** Runs when the node dies (stops the node's engine too). */
  volatile Runnable onDeath = () -> {};
  volatile boolean refuseActivation;
  volatile int failDeactivations;
  volatile RuntimeException checkFailure;

  FakeCrowd(FakeActingUser acting) {
    this.acting = acting;
  }

  synchronized void user(String name, String password, Kind kind, boolean active, boolean licensed) {
    people.put(key(name), new Person(password, kind, active, licensed));
  }

  synchronized boolean active(String name) {
    return people.get(key(name)).active;
  }

  synchronized boolean licensed(String name) {
    return people.get(key(name)).licensed;
  }

  synchronized void license(String name, boolean licensed) {
    people.get(key(name)).licensed = licensed;
  }

  synchronized int failedLogins(String name) {
    return people.get(key(name)).failedLogins;
  }

  /** The product's CAPTCHA threshold (Jira's and Confluence's default is three failures). */
  synchronized boolean captchaDue(String name) {
    return people.get(key(name)).failedLogins >= 3;
  }

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  @Override
  public synchronized Account account(String username) {
    alive();
    lookups.incrementAndGet();
    Person p = people.get(key(username));
    if (p == null) {
      return Account.UNKNOWN;
    }
    if (!p.active) {
      return new Account(State.INACTIVE, p.kind.refusal);
    }
    return new Account(
        p.licensed ? State.ACTIVE : State.UNLICENSED, InactiveRefusal.BEFORE_CREDENTIAL);
  }

  @Override
  public Credential check(String username, String password) {
    alive();
    Credential answer;
    synchronized (this) {
      log.add("authenticate " + key(username));
      if (checkFailure != null) {
        return Credential.FAILED;
      }
      answer = crowd(people.get(key(username)), password);
    }
    kill(Step.AUTHENTICATED);
    return answer;
  }

  /** {@code CrowdService.authenticate} in Crowd's order for the person's directory. */
  private static Credential crowd(Person p, String password) {
    if (p == null) {
      return Credential.NOT_ACCEPTED;
    }
    switch (p.kind) {
      case INTERNAL, DELEGATED -> {
        if (!p.active) {
          return Credential.REFUSED_INACTIVE; // before the password is compared
        }
        return p.password.equals(password) ? Credential.ACCEPTED : Credential.NOT_ACCEPTED;
      }
      default -> {
        if (!p.password.equals(password)) {
          return Credential.NOT_ACCEPTED; // the bind fails first
        }
        return p.active ? Credential.ACCEPTED : Credential.REFUSED_INACTIVE;
      }
    }
  }

  /**
   * The product's own login after the filter: the same Crowd check, then the licence; a failure
   * counts towards the CAPTCHA. Whether it succeeded (the product then publishes its login
   * event).
   */
  synchronized boolean productLogin(String username, String password) {
    Person p = people.get(key(username));
    boolean ok = crowd(p, password) == Credential.ACCEPTED && p.licensed;
    if (p != null) {
      p.failedLogins = ok ? 0 : p.failedLogins + 1;
    }
    return ok;
  }

  @Override
  public void setActive(String username, boolean active) {
    alive();
    synchronized (this) {
      if (!acting.active()) {
        throw new AssertionError("account changed without the automation account");
      }
      if (active && refuseActivation) {
        throw new IllegalStateException("directory is read-only");
      }
      if (!active && failDeactivations > 0) {
        failDeactivations--;
        throw new IllegalStateException("database hiccup");
      }
      log.add((active ? "activate " : "deactivate ") + key(username));
      people.get(key(username)).active = active;
      userUpdates.incrementAndGet();
      licenceFlushes.incrementAndGet();
    }
    kill(active ? Step.ACTIVATED : Step.DEACTIVATED);
  }

  /** What the engine's login policies do through the host: activate, or restore the licence. */
  synchronized void giveAccessBack(String username) {
    if (!acting.active()) {
      throw new AssertionError("access given back without the automation account");
    }
    Person p = people.get(key(username));
    if (!p.active) {
      p.active = true;
    } else {
      p.licensed = true;
    }
    log.add("give back " + key(username));
    userUpdates.incrementAndGet();
    licenceFlushes.incrementAndGet();
  }

  @Override
  public synchronized void resetFailedLoginCount(String username) {
    log.add("reset " + key(username));
    Person p = people.get(key(username));
    if (p != null) {
      p.failedLogins = 0;
    }
  }

  private void kill(Step step) {
    if (killAt == step) {
      dead = true;
      onDeath.run();
      throw new NodeDied(step);
    }
  }

  private void alive() {
    if (dead) {
      throw new NodeDied(killAt);
    }
  }
}
