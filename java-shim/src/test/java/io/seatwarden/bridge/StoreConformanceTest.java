package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seatwarden.bridge.testing.InMemoryRecordStore;
import io.seatwarden.store.AoRecordStore;
import io.seatwarden.store.FakeActiveObjects;
import io.seatwarden.store.FakeClusterLockService;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java in-memory {@link RecordStore} held to the Rust contracts, through the bridge: the
 * record-backend suite of {@code seatwarden-store-records}, and the service's whole Store suite
 * over the record store built on it.
 */
class StoreConformanceTest {
  /** Loads the testing library: run alone (-Dtest=...), no earlier test has loaded it. */
  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  private static Object[] freshStores(int n) {
    Object[] stores = new Object[n];
    for (int i = 0; i < n; i++) {
      stores[i] = new StoreBridge(new InMemoryRecordStore());
    }
    return stores;
  }

  private static void assertPassed(byte[] envelope) {
    Map<String, Object> verdict = Json.parseObject(Envelope.unwrap(envelope));
    assertEquals(Boolean.TRUE, verdict.get("passed"), String.valueOf(verdict.get("failure")));
  }

  @Test
  void theJavaRecordStorePassesTheBackendConformanceSuite() {
    assertPassed(NativeTesting.testBackendConformance(freshStores(64)));
  }

  @Test
  void theRecordStoreOverTheJavaRecordStorePassesTheStoreConformanceSuite() {
    // One empty store per check; more than the suite has checks (it grows).
    assertPassed(NativeTesting.testStoreConformance(freshStores(64)));
  }

  @Test
  void theRecordStoreOverActiveObjectsPassesTheStoreConformanceSuite() {
    // The plugin's own backend: the shared rate counters and marker pruning of the anonymous
    // routes (issue 21) hold there as in SQLite.
    Object[] stores = new Object[64];
    for (int i = 0; i < stores.length; i++) {
      stores[i] = new StoreBridge(new AoRecordStore(new FakeActiveObjects(), new FakeClusterLockService()));
    }
    assertPassed(NativeTesting.testStoreConformance(stores));
  }

  @Test
  void tooFewStoresIsReportedNotPanicked() {
    Map<String, Object> verdict =
        Json.parseObject(Envelope.unwrap(NativeTesting.testStoreConformance(freshStores(1))));
    assertEquals(Boolean.FALSE, verdict.get("passed"));
    assertTrue(String.valueOf(verdict.get("failure")).contains("fewer empty stores"));
  }

  @Test
  void aBrokenStoreFailsTheSuiteWithAReason() {
    Object[] broken = new Object[64];
    for (int i = 0; i < broken.length; i++) {
      InMemoryRecordStore store = new InMemoryRecordStore();
      store.setUnavailable(true);
      broken[i] = new StoreBridge(store);
    }
    Map<String, Object> verdict =
        Json.parseObject(Envelope.unwrap(NativeTesting.testStoreConformance(broken)));
    assertEquals(Boolean.FALSE, verdict.get("passed"));
    assertTrue(
        String.valueOf(verdict.get("failure")).contains("the test database is down"),
        String.valueOf(verdict.get("failure")));
  }
}
