package io.seatwarden.plugin;

import com.atlassian.jira.util.thread.JiraThreadLocalUtil;
import io.seatwarden.jira.JiraThreadContext;
import io.seatwarden.product.ThreadContext;

/**
 * The {@link ThreadContext} of the plugin's own thread, per product.
 *
 * <p>Jira: {@link JiraThreadContext} over {@code JiraThreadLocalUtil}. Confluence: none yet. The
 * review asks for SAL's {@code TransactionTemplate} around each slice, but a slice also writes
 * through the Active Objects store, whose compare-and-set commits inside the table's cluster lock;
 * if Active Objects joins a surrounding transaction on Confluence (open question in
 * docs/plugin.md, "Store"), one transaction per slice would commit after the lock is released and
 * break that guarantee across nodes. Confluence's {@code UserAccessor} and {@code CrowdService} are
 * transactional proxies that open their own transaction per call. This stays open until the
 * ordering is verified on a Confluence instance.
 *
 * <p>Like {@code LoginListeners.forProduct}, the product classes are named only inside the branch
 * that runs, so the other product never loads them.
 */
final class ProductThreads {

  private ProductThreads() {}

  /** The context for {@code product}'s background work, from its components. */
  static ThreadContext forProduct(String product, Services services) {
    if (product.equals("jira")) {
      return new JiraThreadContext(services.get(JiraThreadLocalUtil.class));
    }
    return ThreadContext.NONE;
  }
}
