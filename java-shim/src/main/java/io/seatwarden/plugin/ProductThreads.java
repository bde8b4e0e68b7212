package io.seatwarden.plugin;

import com.atlassian.jira.util.thread.JiraThreadLocalUtil;
import com.atlassian.sal.api.transaction.TransactionTemplate;
import io.seatwarden.bridge.Host;
import io.seatwarden.confluence.ConfluenceTransactionContext;
import io.seatwarden.jira.JiraThreadContext;
import io.seatwarden.product.ContextualHost;
import io.seatwarden.product.ThreadContext;

/**
 * The product state the plugin's own work needs, per product.
 *
 * <p><b>Jira</b>: every slice of the {@code seatwarden-drive} thread runs inside {@link
 * JiraThreadContext} ({@code JiraThreadLocalUtil} preCall/postCall), as Atlassian requires of any
 * plugin that creates its own threads; the host is used as is.
 *
 * <p><b>Confluence</b>: every directory call runs inside SAL's {@code TransactionTemplate} ({@link
 * ConfluenceTransactionContext} through {@link ContextualHost}), on whichever thread makes it; the
 * slice itself gets no transaction, so the Active Objects store's compare-and-set never runs
 * inside a product transaction and commits before its table lock is released.
 *
 * <p>Like {@code LoginListeners.forProduct}, the product classes are named only inside the branch
 * that runs, so the other product never loads them.
 */
final class ProductThreads {

  private ProductThreads() {}

  /** The context around each slice of {@code product}'s background work. */
  static ThreadContext perSlice(String product, Services services) {
    if (product.equals("jira")) {
      return new JiraThreadContext(services.get(JiraThreadLocalUtil.class));
    }
    return ThreadContext.NONE;
  }

  /** {@code host} as the engine should call it in {@code product}. */
  static Host host(String product, Services services, Host host) {
    if (product.equals("confluence")) {
      return new ContextualHost(
          host, new ConfluenceTransactionContext(services.get(TransactionTemplate.class)));
    }
    return host;
  }
}
