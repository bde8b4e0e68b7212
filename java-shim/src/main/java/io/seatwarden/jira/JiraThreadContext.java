package io.seatwarden.jira;

import com.atlassian.jira.util.thread.JiraThreadLocalUtil;
import io.seatwarden.product.ThreadContext;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.log4j.Logger;

/**
 * Jira's thread state for the plugin's own thread: {@link JiraThreadLocalUtil#preCall()} before
 * each slice, {@link JiraThreadLocalUtil#postCall} in {@code finally}.
 *
 * <p>Atlassian: "Any plugin which creates its own threads for processing must use this component.
 * Otherwise, it can interfere with the smooth running of Jira by creating data inconsistencies,
 * leaking resources and affecting performance" (developer.atlassian.com, "Working with
 * JiraThreadLocalUtil"). JRASERVER-67202 is the leak this prevents: {@code SearchService} (the
 * issue handover) on a plugin thread fills the request cache of {@code JiraAuthenticationContext},
 * which then never clears. {@code postCall} also reports a database transaction the slice left
 * open, to the log given here.
 */
public final class JiraThreadContext implements ThreadContext {

  private static final Logger LOG = Logger.getLogger(JiraThreadContext.class);

  private final JiraThreadLocalUtil threadLocals;

  /** A context over Jira's component. */
  public JiraThreadContext(JiraThreadLocalUtil threadLocals) {
    this.threadLocals = Objects.requireNonNull(threadLocals, "threadLocals");
  }

  @Override
  public <T> T call(Supplier<T> work) {
    threadLocals.preCall();
    try {
      return work.get();
    } finally {
      threadLocals.postCall(LOG);
    }
  }
}
