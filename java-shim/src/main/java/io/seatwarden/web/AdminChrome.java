package io.seatwarden.web;

/**
 * What the product's admin decorator ({@code atl.admin}) highlights in its menu while the
 * Seatwarden page is shown: the menu section and the entry of the plugin's own web item (the
 * {@code <web-item>} keys in {@code atlassian-plugin.xml}).
 *
 * <p>Jira reads the {@code admin.active.section} / {@code admin.active.tab} meta tags, with the
 * section as its web-item {@code section} path and the tab as the web item's key (Jira's own
 * admin JSPs, e.g. {@code admin_users_menu/users_groups_section} with {@code
 * project_role_browser}). Confluence's admin sidebar selects the item named by a Sitemesh {@code
 * <content tag="selectedWebItem">} in the page head (public Confluence plugins' admin templates);
 * its section meta tag is set to the web item's section, {@code system.admin/configuration}.
 * Sources: docs/atlassian-api.md ("Admin chrome").
 *
 * @param activeSection the {@code admin.active.section} meta value
 * @param activeTab the {@code admin.active.tab} meta value
 * @param selectedWebItem the {@code selectedWebItem} content tag, or null for none
 */
record AdminChrome(String activeSection, String activeTab, String selectedWebItem) {

  /** Jira: the User management section, the Jira web item. */
  static final AdminChrome JIRA =
      new AdminChrome("admin_users_menu/users_groups_section", "seatwarden-admin-link-jira", null);

  /** Confluence: the Configuration section, the Confluence web item. */
  static final AdminChrome CONFLUENCE =
      new AdminChrome(
          "system.admin/configuration",
          "seatwarden-admin-link-confluence",
          "seatwarden-admin-link-confluence");

  /** The chrome for {@code jira} or {@code confluence}; Jira's for anything else. */
  static AdminChrome forProduct(String product) {
    return "confluence".equals(product) ? CONFLUENCE : JIRA;
  }
}
