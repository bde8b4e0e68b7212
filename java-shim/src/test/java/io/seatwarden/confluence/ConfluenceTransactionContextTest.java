package io.seatwarden.confluence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.sal.api.transaction.TransactionCallback;
import com.atlassian.sal.api.transaction.TransactionTemplate;
import io.seatwarden.bridge.DirectoryHeader;
import io.seatwarden.bridge.DirectoryUser;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.Operation;
import io.seatwarden.bridge.OperationResult;
import io.seatwarden.bridge.UsersPage;
import io.seatwarden.plugin.BackgroundPump;
import io.seatwarden.plugin.FakeActingUser;
import io.seatwarden.plugin.FakeSeatwarden;
import io.seatwarden.product.ContextualHost;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * On Confluence every directory call runs inside SAL's TransactionTemplate, also on the plugin's
 * own thread, while the work between directory calls (the engine's store calls) runs outside any
 * product transaction. Checked against a fake Confluence whose services refuse to run outside a
 * transaction.
 */
class ConfluenceTransactionContextTest {

  /** SAL's template: marks the thread as in a transaction; optionally wraps what the callback threw. */
  static final class FakeTransactions implements TransactionTemplate {
    final ThreadLocal<Integer> depth = ThreadLocal.withInitial(() -> 0);
    final List<String> executed = new CopyOnWriteArrayList<>();
    boolean wrapFailures;

    @Override
    public <T> T execute(TransactionCallback<T> action) {
      executed.add(Thread.currentThread().getName());
      depth.set(depth.get() + 1);
      try {
        return action.doInTransaction();
      } catch (RuntimeException e) {
        if (wrapFailures) {
          throw new IllegalStateException("transaction rolled back", e);
        }
        throw e;
      } finally {
        depth.set(depth.get() - 1);
      }
    }

    boolean inTransaction() {
      return depth.get() > 0;
    }
  }

  /** A Confluence directory whose every call needs the session SAL's template binds. */
  static final class SessionBoundHost implements Host {
    final FakeTransactions transactions;
    RuntimeException failure;

    SessionBoundHost(FakeTransactions transactions) {
      this.transactions = transactions;
    }

    private void needSession() {
      if (!transactions.inTransaction()) {
        throw new IllegalStateException("No Hibernate Session bound to thread");
      }
      if (failure != null) {
        throw failure;
      }
    }

    @Override
    public DirectoryHeader header() {
      needSession();
      return null;
    }

    @Override
    public UsersPage users(String cursor, int limit) {
      needSession();
      return new UsersPage(List.of(), null);
    }

    @Override
    public Optional<DirectoryUser> user(String key) {
      needSession();
      return Optional.empty();
    }

    @Override
    public Optional<DirectoryUser> userByUsername(String username) {
      needSession();
      return Optional.empty();
    }

    @Override
    public OperationResult apply(Operation operation) {
      needSession();
      return null;
    }
  }

  private final FakeTransactions transactions = new FakeTransactions();
  private final SessionBoundHost confluence = new SessionBoundHost(transactions);
  private final Host host = new ContextualHost(confluence, new ConfluenceTransactionContext(transactions));

  @Test
  void theDriveThreadReadsTheDirectoryInsideTransactionsAndWritesTheStoreOutside() throws Exception {
    FakeActingUser acting = new FakeActingUser();
    FakeSeatwarden engine = new FakeSeatwarden(acting);
    List<String> seen = new CopyOnWriteArrayList<>();
    engine.onDrive =
        now -> {
          // What the engine does in a slice: directory calls, then store calls between them.
          seen.add("users " + host.users(null, 10).users().size());
          seen.add("user " + host.user("K1").isPresent());
          seen.add("store in transaction: " + transactions.inTransaction());
          return false;
        };
    try (BackgroundPump pump = new BackgroundPump(engine, acting, () -> 5L)) {
      pump.wake();
      awaitIdle(pump);
    }
    assertEquals(List.of("users 0", "user false", "store in transaction: false"), seen);
    assertEquals(List.of("seatwarden-drive", "seatwarden-drive"), transactions.executed);
  }

  @Test
  void withoutTheTemplateTheFakeRefusesSoTheTestCanFail() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> confluence.users(null, 1));
    assertTrue(e.getMessage().contains("Hibernate Session"));
  }

  @Test
  void everyHostCallIsWrapped() {
    host.header();
    host.users(null, 1);
    host.user("K1");
    host.userByUsername("alice");
    host.apply(null);
    assertEquals(5, transactions.executed.size());
    assertFalse(transactions.inTransaction());
  }

  @Test
  void whatTheDirectoryThrowsComesBackUnwrapped() {
    transactions.wrapFailures = true;
    HostUnavailableException outage = new HostUnavailableException("directory unreachable");
    confluence.failure = outage;
    assertSame(outage, assertThrows(HostUnavailableException.class, () -> host.users(null, 1)));
    // A failure of the template itself (not of the callback) passes as it is.
    TransactionTemplate broken =
        new TransactionTemplate() {
          @Override
          public <T> T execute(TransactionCallback<T> action) {
            throw new IllegalStateException("no transaction manager");
          }
        };
    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class,
            () -> new ConfluenceTransactionContext(broken).call(() -> "never"));
    assertEquals("no transaction manager", refused.getMessage());
  }

  private static void awaitIdle(BackgroundPump pump) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (pump.busy() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertFalse(pump.busy(), "pump still busy");
  }
}
