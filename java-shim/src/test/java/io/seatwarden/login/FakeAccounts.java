package io.seatwarden.login;

import io.seatwarden.plugin.FakeActingUser;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A product's accounts for the reactivation tests: a directory whose password check, like
 * Crowd's internal directory, refuses an inactive account before looking at the password.
 * Records every state change and checks that changes happen as the automation account.
 */
final class FakeAccounts implements LoginAccounts {

  final Map<String, String> passwords = new HashMap<>();
  final Map<String, State> states = new HashMap<>();
  final Set<String> elevated = new HashSet<>();
  /** "activate alice", "deactivate alice", "verify alice", in order. */
  final List<String> log;
  /** Account states seen at each password check. */
  final List<State> statesAtVerify = new ArrayList<>();
  final FakeActingUser acting;
  boolean refuseActivation;
  int failDeactivations;
  /** When set, the password check throws it (a directory failing mid-check). */
  RuntimeException verifyFailure;

  FakeAccounts(FakeActingUser acting) {
    this(acting, new ArrayList<>());
  }

  /** Accounts that log into {@code log} (shared with the engine's log to see the order). */
  FakeAccounts(FakeActingUser acting, List<String> log) {
    this.acting = acting;
    this.log = log;
  }

  void user(String name, String password, State state) {
    passwords.put(name.toLowerCase(Locale.ROOT), password);
    states.put(name.toLowerCase(Locale.ROOT), state);
  }

  State stateOf(String name) {
    return states.getOrDefault(name.toLowerCase(Locale.ROOT), State.UNKNOWN);
  }

  @Override
  public synchronized State state(String username) {
    return stateOf(username);
  }

  @Override
  public boolean elevatedSecurityRequired(String username) {
    return elevated.contains(username.toLowerCase(Locale.ROOT));
  }

  @Override
  public synchronized boolean verifyPassword(String username, String password) {
    String name = username.toLowerCase(Locale.ROOT);
    log.add("verify " + name);
    statesAtVerify.add(stateOf(name));
    if (verifyFailure != null) {
      throw verifyFailure;
    }
    State state = stateOf(name);
    if (state == State.UNKNOWN || state == State.INACTIVE) {
      return false; // inactive: refused before the password is compared
    }
    return password.equals(passwords.get(name));
  }

  @Override
  public synchronized void setActive(String username, boolean active) {
    String name = username.toLowerCase(Locale.ROOT);
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
    log.add((active ? "activate " : "deactivate ") + name);
    states.put(name, active ? State.ACTIVE : State.INACTIVE);
  }
}
