package io.seatwarden.login;

/**
 * What the reactivation filter needs that differs between Jira and Confluence; each product
 * binding supplies one (see {@code plugin/jira/JiraLoginProduct} and {@code
 * plugin/confluence/ConfluenceLoginProduct}).
 */
public interface LoginProduct {

  /**
   * Whether the active user may log in by licence: Jira, access to at least one application;
   * Confluence, the "can use" permission. True for a user the product does not know.
   */
  boolean licensed(String username);

  /** Clears the user's failed-login count (the CAPTCHA trigger). */
  void resetFailedLoginCount(String username);
}
