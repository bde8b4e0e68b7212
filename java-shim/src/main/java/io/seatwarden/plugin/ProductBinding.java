package io.seatwarden.plugin;

import io.seatwarden.bridge.Host;
import io.seatwarden.login.LoginAccounts;
import io.seatwarden.product.ActingUser;
import java.util.function.Supplier;

/**
 * What one product (Jira or Confluence) contributes to the plugin: its directory adapter, the
 * hook that runs work as the automation account, and the account operations the reactivation
 * filter needs. The rest of the plugin is the same in both products.
 */
public interface ProductBinding {

  /** {@code jira} or {@code confluence}: the engine's product name. */
  String product();

  /** The product's user directory. */
  Host host();

  /** Runs a block as the automation account (restoring the previous user afterwards). */
  ActingUser actingUser();

  /** Account look-ups and state changes for the reactivation filter. */
  LoginAccounts loginAccounts();

  /**
   * Builds a product's binding. Implementations have a public no-argument constructor and are
   * loaded by name only once the product is known (see {@link ProductBindings}), so their
   * product-specific types are never loaded in the other product.
   */
  interface Factory {
    /**
     * The binding, from the product's components.
     *
     * @param services the product's components
     * @param automationAccount the user key of the account automation acts as (from the saved
     *     settings, read fresh; null when none is configured)
     */
    ProductBinding create(Services services, Supplier<String> automationAccount);
  }
}
