package io.seatwarden.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Checks, when one product's binding starts, that the packages its code needs and the manifest
 * imports only optionally are really wired.
 *
 * <p>Why: undocumented Crowd packages that only Jira's code uses ({@code crowd.search*}, {@code
 * crowd.embedded.impl}, {@code crowd.exception.embedded}) are optional imports, so the bundle
 * always resolves (a mandatory import of a package one product does not export would keep the
 * plugin from starting there at all). The price is that a missing package shows up only when a
 * class needing it runs; this check turns that into one precise start failure, kept and shown in
 * the admin UI ({@code StartFailure}), naming the packages, instead of a {@code
 * NoClassDefFoundError} in the middle of a run.
 */
public final class OptionalPackages {

  private OptionalPackages() {}

  /**
   * Fails unless every class of {@code classNames} can be loaded through {@code loader} (the
   * bundle's class loader sees exactly the wired imports).
   *
   * @param purpose what the classes are for, to complete "Seatwarden needs them ..."
   * @throws IllegalStateException naming the packages that are missing
   */
  public static void require(ClassLoader loader, String purpose, String... classNames) {
    Objects.requireNonNull(loader, "loader");
    List<String> missing = new ArrayList<>();
    for (String name : classNames) {
      try {
        Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError absent) {
        String pkg = name.substring(0, name.lastIndexOf('.'));
        if (!missing.contains(pkg)) {
          missing.add(pkg);
        }
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "this product does not export "
              + String.join(", ", missing)
              + " to plugins; Seatwarden needs "
              + (missing.size() == 1 ? "it " : "them ")
              + purpose);
    }
  }
}
