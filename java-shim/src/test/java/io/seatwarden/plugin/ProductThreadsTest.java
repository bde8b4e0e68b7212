package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.atlassian.jira.util.thread.JiraThreadLocalUtil;
import com.atlassian.sal.api.transaction.TransactionCallback;
import com.atlassian.sal.api.transaction.TransactionTemplate;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.jira.JiraThreadContext;
import io.seatwarden.product.ContextualHost;
import io.seatwarden.product.ThreadContext;
import org.junit.jupiter.api.Test;

/** Which product state each product's work gets (the wiring SeatwardenPlugin uses). */
class ProductThreadsTest {

  private final Services services =
      new Services() {
        @Override
        public <T> T get(Class<T> type) {
          if (type == JiraThreadLocalUtil.class) {
            return type.cast(
                new JiraThreadLocalUtil() {
                  @Override
                  public void preCall() {}

                  @Override
                  public void postCall(org.apache.log4j.Logger log) {}
                });
          }
          if (type == TransactionTemplate.class) {
            return type.cast(
                new TransactionTemplate() {
                  @Override
                  public <T2> T2 execute(TransactionCallback<T2> action) {
                    return action.doInTransaction();
                  }
                });
          }
          throw new UnsupportedOperationException(type.getName());
        }
      };

  @Test
  void jiraWrapsEachSliceAndLeavesItsHostAlone() {
    Host host = new InMemoryHost(0L);
    assertInstanceOf(JiraThreadContext.class, ProductThreads.perSlice("jira", services));
    assertSame(host, ProductThreads.host("jira", services, host));
  }

  @Test
  void confluenceWrapsEachDirectoryCallAndNotTheSlice() {
    Host host = new InMemoryHost(0L);
    assertSame(ThreadContext.NONE, ProductThreads.perSlice("confluence", services));
    assertInstanceOf(ContextualHost.class, ProductThreads.host("confluence", services, host));
  }
}
