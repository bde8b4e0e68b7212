package io.seatwarden.login;

import java.util.Optional;

/** Hands the filter the running plugin's {@link Reactivation}, or none while it is stopped. */
@FunctionalInterface
public interface ReactivationSource {

  /** The current reactivation, or empty while the plugin is not running. */
  Optional<Reactivation> reactivation();
}
