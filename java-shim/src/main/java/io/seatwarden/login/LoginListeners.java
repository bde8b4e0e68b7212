package io.seatwarden.login;

/**
 * Picks the login listener of the product the plugin runs in. The two listener classes name
 * product-specific event types, so only the one for this product is ever loaded: the JVM
 * resolves a class referenced in a method body only when that branch runs.
 */
public final class LoginListeners {

  private LoginListeners() {}

  /**
   * The listener object to register with the product's event publisher.
   *
   * @throws IllegalArgumentException for a product this jar does not support
   */
  public static Object forProduct(String product, LoginHook hook) {
    return switch (product) {
      case "jira" -> new JiraLoginListener(hook);
      case "confluence" -> new ConfluenceLoginListener(hook);
      default -> throw new IllegalArgumentException("unsupported product `" + product + "`");
    };
  }
}
