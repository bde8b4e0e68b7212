package io.seatwarden.web;

import io.seatwarden.bridge.Seatwarden;
import java.util.Optional;

/** What the admin servlet needs from the running plugin. */
public interface AdminBackend {

  /** The open engine, or empty while the plugin is starting or stopping. */
  Optional<Seatwarden> engine();

  /** A state-changing request may have queued background work: wake the pump. */
  void workQueued();

  /** {@code jira} or {@code confluence}, or empty while stopped. */
  Optional<String> product();

  /** Why the last start failed, while the plugin is not running because of it. */
  default Optional<StartFailure> startFailure() {
    return Optional.empty();
  }
}
