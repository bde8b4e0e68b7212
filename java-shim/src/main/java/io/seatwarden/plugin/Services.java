package io.seatwarden.plugin;

/**
 * Looks up the product's components by type while the plugin is enabled.
 *
 * <p>The shared components (SAL, scheduler, Active Objects, ...) reach the plugin through its
 * Spring wiring, but one jar serves two products, so components only one product has (Jira's
 * {@code UserService}, Confluence's {@code UserAccessor}) cannot be named in that wiring: the
 * other product could not even load their classes. The product's {@link ProductBinding.Factory}
 * asks for them here instead, only after the plugin knows which product it runs in.
 */
public interface Services {

  /**
   * The component of this type.
   *
   * @throws IllegalStateException when the product does not offer one
   */
  <T> T get(Class<T> type);
}
