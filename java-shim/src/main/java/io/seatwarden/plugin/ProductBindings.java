package io.seatwarden.plugin;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Finds which product the plugin runs in and builds that product's {@link ProductBinding}.
 *
 * <p>The jar imports every product-specific package with {@code resolution:=optional}; in Jira
 * only Jira's packages resolve, in Confluence only Confluence's. So "can this bundle load a class
 * of that product's login event package" answers which product it is, without a
 * product-specific API call. The factory is then loaded by name.
 */
public final class ProductBindings {

  /**
   * One product the jar supports.
   *
   * @param product the engine's product name
   * @param markerClass a class only that product has, in a package the jar imports
   * @param factoryClass the {@link ProductBinding.Factory} implementation for it
   */
  public record Candidate(String product, String markerClass, String factoryClass) {}

  /** Jira first, then Confluence. */
  public static final List<Candidate> SUPPORTED =
      List.of(
          new Candidate(
              "jira",
              "com.atlassian.jira.event.user.LoginEvent",
              "io.seatwarden.plugin.jira.JiraBindingFactory"),
          new Candidate(
              "confluence",
              "com.atlassian.confluence.event.events.security.LoginEvent",
              "io.seatwarden.plugin.confluence.ConfluenceBindingFactory"));

  private final ClassLoader loader;
  private final List<Candidate> candidates;

  /** Detection through this plugin's own class loader. */
  public ProductBindings() {
    this(ProductBindings.class.getClassLoader(), SUPPORTED);
  }

  /** Detection through {@code loader} over {@code candidates} (tests). */
  public ProductBindings(ClassLoader loader, List<Candidate> candidates) {
    this.loader = Objects.requireNonNull(loader, "loader");
    this.candidates = List.copyOf(candidates);
  }

  /**
   * The product this plugin runs in.
   *
   * @throws IllegalStateException when no supported product's classes are visible
   */
  public Candidate detect() {
    for (Candidate candidate : candidates) {
      if (visible(candidate.markerClass())) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "Seatwarden runs in Jira or Confluence only: neither product's classes are visible");
  }

  /** Builds the detected product's binding. */
  public ProductBinding create(Services services, Supplier<String> automationAccount) {
    Candidate candidate = detect();
    Object factory;
    try {
      factory =
          Class.forName(candidate.factoryClass(), true, loader).getConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      throw new IllegalStateException(
          "the " + candidate.product() + " binding `" + candidate.factoryClass() + "` cannot be loaded",
          e);
    }
    if (!(factory instanceof ProductBinding.Factory f)) {
      throw new IllegalStateException(
          "`" + candidate.factoryClass() + "` is not a ProductBinding.Factory");
    }
    return Objects.requireNonNull(f.create(services, automationAccount), "binding");
  }

  private boolean visible(String className) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
