package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.atlassian.sal.api.ApplicationProperties;
import com.atlassian.sal.api.UrlMode;
import com.atlassian.scheduler.JobRunnerResponse;
import io.seatwarden.bridge.DirectoryHeader.DirectoryKind;
import io.seatwarden.bridge.Host;
import io.seatwarden.bridge.testing.InMemoryHost;
import io.seatwarden.login.LoginAccounts;
import io.seatwarden.product.ActingUser;
import io.seatwarden.store.AoRecordStore;
import io.seatwarden.store.FakeActiveObjects;
import io.seatwarden.store.FakeClusterLockService;
import io.seatwarden.web.AdminServlet;
import io.seatwarden.web.AdminPages;
import io.seatwarden.web.FakeHttp;
import io.seatwarden.web.FakeSal;
import io.seatwarden.web.ServletApi;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The plugin side with the real native engine (the testing build) over the Active Objects store:
 * enable, an admin saves settings through the servlet, the scheduler job ticks, disable. Checks
 * that the store keeps what the engine writes in the form the plugin reads back (the automation
 * account), and that disable leaves nothing behind.
 */
class PluginEndToEndTest {

  static final long DAY0 = 1_763_683_200_000L;

  /** Loaded by name like the product factories; hands out the test's directory. */
  public static final class Factory implements ProductBinding.Factory {
    static volatile Host host;
    static final FakeActingUser ACTING = new FakeActingUser();

    public Factory() {}

    @Override
    public ProductBinding create(Services services, Supplier<String> automationAccount) {
      return new ProductBinding() {
        @Override
        public String product() {
          return "jira";
        }

        @Override
        public Host host() {
          return host;
        }

        @Override
        public ActingUser actingUser() {
          return ACTING;
        }

        @Override
        public LoginAccounts loginAccounts() {
          return new LoginAccounts() {
            @Override
            public Account account(String username) {
              return Account.UNKNOWN;
            }

            @Override
            public Credential check(String username, String password) {
              return Credential.NOT_ACCEPTED;
            }

            @Override
            public void resetFailedLoginCount(String username) {}

            @Override
            public void setActive(String username, boolean active) {
              throw new UnsupportedOperationException();
            }
          };
        }
      };
    }
  }

  @org.junit.jupiter.api.io.TempDir java.nio.file.Path localHome;

  /** The directory the end-to-end tests start from: an admin, and a user idle for 200 days. */
  static InMemoryHost directory() {
    return new InMemoryHost(DAY0)
        .directory(1, "Internal", DirectoryKind.INTERNAL, InMemoryHost.ALL)
        .group("jira-administrators", true, false)
        .group("jira-software-users", false, true)
        .licence("jira-software", "Jira Software", 20, "jira-software-users")
        .sysadmin("K-admin")
        .user(
            "K-admin", "admin", 1, true, DAY0 - 900 * 86_400_000L, DAY0 - 86_400_000L,
            "jira-administrators", "jira-software-users")
        .user(
            "K-idle", "idle", 1, true, DAY0 - 900 * 86_400_000L, DAY0 - 200 * 86_400_000L,
            "jira-software-users");
  }

  /**
   * The plugin as a Jira host would build it, over the real native engine (the testing build the
   * {@link NativeOpener} finds), {@link Factory#host}, a fake Active Objects store and a local home.
   */
  static SeatwardenPlugin plugin(
      FakeActiveObjects ao,
      FakeClusterLockService locks,
      SeatwardenPluginTest.FakeEvents events,
      SeatwardenPluginTest.FakeScheduler scheduler,
      java.nio.file.Path localHome) {
    ApplicationProperties app =
        new ApplicationProperties() {
          @Override
          public String getBaseUrl(UrlMode mode) {
            return "https://jira.example.test";
          }

          @Override
          public String getDisplayName() {
            return "Acme Jira";
          }

          @Override
          public java.util.Optional<java.nio.file.Path> getLocalHomeDirectory() {
            return java.util.Optional.of(localHome);
          }
        };
    return new SeatwardenPlugin(
        SeatwardenPluginTest.FakeServices::new,
        new ProductBindings(
            PluginEndToEndTest.class.getClassLoader(),
            List.of(new ProductBindings.Candidate("jira", "java.lang.String", Factory.class.getName()))),
        new NativeOpener(app),
        events,
        scheduler,
        locks,
        ao,
        () -> DAY0);
  }

  @Test
  void enableAdministerTickDisable() throws Exception {
    Factory.host = directory();
    FakeActiveObjects ao = new FakeActiveObjects();
    FakeClusterLockService locks = new FakeClusterLockService();
    SeatwardenPluginTest.FakeScheduler scheduler = new SeatwardenPluginTest.FakeScheduler();
    SeatwardenPluginTest.FakeEvents events = new SeatwardenPluginTest.FakeEvents();
    SeatwardenPlugin plugin = plugin(ao, locks, events, scheduler, localHome);
    plugin.onStart();
    try {
      AdminServlet servlet = adminServlet(plugin);

      FakeHttp.Response me = send(servlet, api("GET", "me"));
      assertEquals(200, me.status, me.text());
      assertTrue(me.text().contains("\"instanceName\":\"Acme Jira\""), me.text());

      FakeHttp.Response settings = send(servlet, api("GET", "settings"));
      assertEquals(200, settings.status, settings.text());
      assertTrue(settings.text().contains("\"automationAccount\":null"), settings.text());
      String change = settings.text().replace("\"automationAccount\":null", "\"automationAccount\":\"K-admin\"");
      FakeHttp.Request put =
          api("PUT", "settings").header("X-Seatwarden-XSRF", FakeSal.TOKEN).body("application/json", change);
      FakeHttp.Response saved = send(servlet, put);
      assertEquals(200, saved.status, saved.text());

      // The engine saved its configuration through the Active Objects store; the plugin reads the
      // automation account back from that row, the way the product bindings do.
      assertEquals("K-admin", new AutomationAccount(new AoRecordStore(ao, locks), () -> DAY0).get());

      JobRunnerResponse tick =
          scheduler.runners.get(TickJob.RUNNER_KEY).runJob(TickJobTest.request(false));
      assertTrue(tick.toString().startsWith("SUCCESS"), tick.toString());
    } finally {
      plugin.onStop();
    }
    assertTrue(scheduler.runners.isEmpty());
    assertTrue(scheduler.jobs.isEmpty());
    assertTrue(events.listeners.isEmpty());
    assertTrue(plugin.engine().isEmpty());
  }

  /**
   * The users export through the servlet: streamed from the engine in chunks (issue 19), the bytes
   * and the download headers those of the whole file.
   */
  @Test
  void theUsersExportIsStreamedThroughTheServletWhole() throws Exception {
    InMemoryHost host = directory();
    for (int i = 0; i < 3_000; i++) {
      host.user(
          String.format("K-u%04d", i), String.format("user%04d", i), 1, true,
          DAY0 - 900 * 86_400_000L, DAY0 - 100 * 86_400_000L, "jira-software-users");
    }
    Factory.host = host;
    SeatwardenPluginTest.FakeScheduler scheduler = new SeatwardenPluginTest.FakeScheduler();
    SeatwardenPlugin plugin =
        plugin(
            new FakeActiveObjects(), new FakeClusterLockService(),
            new SeatwardenPluginTest.FakeEvents(), scheduler, localHome);
    plugin.onStart();
    try {
      AdminServlet servlet = adminServlet(plugin);
      FakeHttp.Response streamed = send(servlet, api("GET", "users/export"));
      assertEquals(200, streamed.status, streamed.text());

      io.seatwarden.bridge.ApiResponse whole =
          plugin
              .engine()
              .orElseThrow()
              .handle(
                  new io.seatwarden.bridge.ApiRequest(
                      "GET", "/api/users/export", List.of(), new byte[0],
                      new io.seatwarden.bridge.ApiRequest.Context(
                          "K-admin", true, "192.0.2.10", false, true)));
      assertEquals(200, whole.status());
      assertTrue(whole.body().length > 3 * 64 * 1024, "several chunks: " + whole.body().length);
      org.junit.jupiter.api.Assertions.assertArrayEquals(whole.body(), streamed.body.toByteArray());
      assertEquals(whole.contentType(), streamed.contentType);
      for (io.seatwarden.bridge.ApiResponse.Header h : whole.headers()) {
        assertEquals(h.value(), streamed.header(h.name()), h.name());
      }
      assertEquals("no-store", streamed.header("Cache-Control"));
    } finally {
      plugin.onStop();
    }
  }

  /** The admin servlet of {@code plugin}, with the sysadmin K-admin signed in. */
  private static AdminServlet adminServlet(SeatwardenPlugin plugin) {
    FakeSal sal = new FakeSal();
    sal.user = new com.atlassian.sal.api.user.UserKey("K-admin");
    return sal.servlet(plugin);
  }

  private static FakeHttp.Request api(String method, String path) {
    return new FakeHttp.Request().method(method).path(AdminPages.BASE_PATH + "/api/" + path);
  }

  private static FakeHttp.Response send(AdminServlet servlet, FakeHttp.Request request) throws Exception {
    FakeHttp.Response response = new FakeHttp.Response();
    ServletApi.service(servlet, request.build(), response.build());
    return response;
  }
}
