package io.seatwarden.product;

import java.util.function.Supplier;

/**
 * The product's per-thread state around work on a thread the plugin owns ({@code
 * seatwarden-drive}).
 *
 * <p>Request threads and scheduler threads get their thread-local state (caches, authentication
 * context, database session) set up and cleared by the product. A plugin's own thread gets none
 * of that unless the plugin asks: Jira says any plugin that creates its own threads must wrap its
 * work in {@code JiraThreadLocalUtil.preCall()/postCall()}, or stale request caches leak between
 * slices. Each slice of background work runs inside {@link #call}; the acting user is set inside
 * it (a fresh context starts without one).
 */
public interface ThreadContext {

  /** No product state to set up (tests, or a product whose services need none). */
  ThreadContext NONE =
      new ThreadContext() {
        @Override
        public <T> T call(Supplier<T> work) {
          return work.get();
        }
      };

  /** Runs {@code work} with the product's thread state set up, and clears it afterwards. */
  <T> T call(Supplier<T> work);
}
