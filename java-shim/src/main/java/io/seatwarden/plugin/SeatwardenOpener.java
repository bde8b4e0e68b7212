package io.seatwarden.plugin;

import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.RecordStore;
import io.seatwarden.bridge.Seatwarden;
import java.util.function.LongSupplier;

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

  /**
   * Opens one engine whose admin and anonymous requests read {@code clock} (UTC ms): the plugin's
   * own, which its jobs read too, so every part of one plugin agrees on the time. Openers that
   * keep no clock (the plugin tests' fakes) ignore it.
   */
  default Seatwarden open(String product, Host host, RecordStore store, LongSupplier clock) {
    return open(product, host, store);
  }
}
