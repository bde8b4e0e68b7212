package io.seatwarden.confluence;

import com.atlassian.sal.api.transaction.TransactionTemplate;
import io.seatwarden.product.ThreadContext;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Confluence's state for one directory call on any thread: SAL's {@link TransactionTemplate},
 * which binds a Hibernate session and sets up the request context Confluence's caches need. On a
 * plugin's own thread neither exists ("No Hibernate Session bound to thread",
 * cloudflare/cloudflare-access-for-atlassian#77; the SAL transaction in the stack of
 * chris-kent/Confluence-Blog-Tools#30). On a request thread that already has a transaction, SAL
 * joins it.
 *
 * <p>Used per host call ({@link io.seatwarden.product.ContextualHost}), not per slice: one
 * transaction around a whole {@code drive} slice would also enclose the Active Objects store's
 * compare-and-set, whose commit must happen before the table lock is released (docs/plugin.md,
 * "Store").
 *
 * <p>What the callback throws comes back unchanged, also where the template wraps it: the engine
 * tells a product refusal from an outage by the exception's type.
 */
public final class ConfluenceTransactionContext implements ThreadContext {

  private final TransactionTemplate transactions;

  /** A context over SAL's template. */
  public ConfluenceTransactionContext(TransactionTemplate transactions) {
    this.transactions = Objects.requireNonNull(transactions, "transactions");
  }

  @Override
  public <T> T call(Supplier<T> work) {
    Object[] thrown = new Object[1];
    try {
      return transactions.execute(
          () -> {
            try {
              return work.get();
            } catch (RuntimeException | Error e) {
              thrown[0] = e;
              throw e;
            }
          });
    } catch (RuntimeException | Error e) {
      if (thrown[0] instanceof RuntimeException original && original != e) {
        throw original;
      }
      if (thrown[0] instanceof Error original && original != e) {
        throw original;
      }
      throw e;
    }
  }
}
