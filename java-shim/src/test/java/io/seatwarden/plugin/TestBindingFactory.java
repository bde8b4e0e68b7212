package io.seatwarden.plugin;

import io.seatwarden.bridge.Host;
import io.seatwarden.login.LoginAccounts;
import io.seatwarden.product.ActingUser;
import java.util.function.Supplier;

/** A product binding for the lifecycle tests (loaded by name, like the real ones). */
public final class TestBindingFactory implements ProductBinding.Factory {

  /** The acting user handed to every binding this factory makes. */
  public static final FakeActingUser ACTING = new FakeActingUser();

  static volatile Supplier<String> lastAutomationAccount;

  public TestBindingFactory() {}

  @Override
  public ProductBinding create(Services services, Supplier<String> automationAccount) {
    lastAutomationAccount = automationAccount;
    Host host = services.get(Host.class);
    LoginAccounts accounts = services.get(LoginAccounts.class);
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
        return accounts;
      }
    };
  }
}
