package io.seatwarden.plugin;

import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.RecordStore;
import io.seatwarden.bridge.Seatwarden;

/**
 * Opens the engine over a host and a store: the native implementation in the product, a fake in
 * the plugin's tests.
 */
@FunctionalInterface
public interface SeatwardenOpener {

  /**
   * Opens one engine.
   *
   * @param product {@code jira} or {@code confluence}
   * @param host the product's directory
   * @param store the product database's rows
   */
  Seatwarden open(String product, Host host, RecordStore store);
}
