package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OptionalPackagesTest {

  private final ClassLoader loader = OptionalPackagesTest.class.getClassLoader();

  @Test
  void wiredPackagesPass() {
    OptionalPackages.require(
        loader,
        "to page users",
        "com.atlassian.crowd.search.builder.QueryBuilder",
        "com.atlassian.crowd.embedded.impl.ImmutableGroup");
  }

  @Test
  void missingPackagesAreNamedOnceEach() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () ->
                OptionalPackages.require(
                    loader,
                    "to page users",
                    "com.atlassian.crowd.search.builder.QueryBuilder",
                    "com.example.absent.One",
                    "com.example.absent.Two",
                    "org.example.gone.Three"));
    assertEquals(
        "this product does not export com.example.absent, org.example.gone to plugins;"
            + " Seatwarden needs them to page users",
        failure.getMessage());
  }
}
