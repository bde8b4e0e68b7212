package io.seatwarden.bridge;

import static io.seatwarden.bridge.Fixtures.queryRequest;
import static io.seatwarden.bridge.Fixtures.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding, copying, loading (twice) and version-checking the library. */
class LoaderTest {
  @Test
  void platformIdsForEverySupportedPlatform() {
    assertEquals("linux-x86_64", NativeLoader.platformId("Linux", "amd64"));
    assertEquals("linux-x86_64", NativeLoader.platformId("Linux", "x86_64"));
    assertEquals("linux-aarch64", NativeLoader.platformId("Linux", "aarch64"));
    assertEquals("darwin-x86_64", NativeLoader.platformId("Mac OS X", "x86_64"));
    assertEquals("darwin-aarch64", NativeLoader.platformId("Mac OS X", "aarch64"));
    assertEquals("windows-x86_64", NativeLoader.platformId("Windows Server 2022", "amd64"));
    assertEquals("windows-aarch64", NativeLoader.platformId("Windows 11", "arm64"));
  }

  @Test
  void unsupportedPlatformsAreNamed() {
    NativeLoadException os =
        assertThrows(NativeLoadException.class, () -> NativeLoader.platformId("SunOS", "sparcv9"));
    assertEquals(
        "cannot load the native library: the plugin has no native library for this platform"
            + " (operating system `SunOS`)",
        os.getMessage());
    assertEquals(NativeLoadException.Reason.NO_LIBRARY_FOR_PLATFORM, os.reason());
    assertEquals("no_library_for_platform", os.details().get("reason"));
    NativeLoadException arch =
        assertThrows(NativeLoadException.class, () -> NativeLoader.platformId("Linux", "ppc64le"));
    assertEquals(
        "cannot load the native library: the plugin has no native library for this platform"
            + " (architecture `ppc64le`)",
        arch.getMessage());
  }

  /**
   * The dynamic loader's own texts, as System.load reports them (captured on Debian 12, glibc
   * 2.36, OpenJDK 17: a library needing GLIBC_2.38, a copy on a tmpfs mounted noexec, an aarch64
   * library on x86_64), each turned into the reason an administrator can act on.
   */
  @Test
  void loaderTextsBecomeReasons() {
    String glibc =
        "/h/seatwarden_jni-1.so: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.38' not found"
            + " (required by /h/seatwarden_jni-1.so)";
    NativeLoadException old =
        NativeLoadException.fromLinkError(new UnsatisfiedLinkError(glibc), "/h");
    assertEquals(NativeLoadException.Reason.GLIBC_TOO_OLD, old.reason());
    assertEquals("GLIBC_2.38", old.details().get("missingVersion"));
    assertEquals("/h", old.details().get("directory"));
    assertTrue(old.getMessage().contains("glibc"), old.getMessage());
    assertTrue(old.getMessage().endsWith("(" + glibc + ")"), old.getMessage());
    assertEquals(
        NativeLoadException.Reason.NOEXEC_DIRECTORY,
        NativeLoadException.classify(
            "/tmp/n/seatwarden_jni-2.so: /tmp/n/seatwarden_jni-2.so: failed to map segment from"
                + " shared object"));
    assertTrue(
        NativeLoadException.Reason.NOEXEC_DIRECTORY.explanation().contains(NativeLoader.DIR_PROPERTY));
    assertEquals(
        NativeLoadException.Reason.WRONG_ARCHITECTURE,
        NativeLoadException.classify(
            "/t/a.so: /t/a.so: cannot open shared object file: No such file or directory (Possible"
                + " cause: can't load AARCH64 .so on a AMD 64 platform)"));
    assertEquals(
        NativeLoadException.Reason.WRONG_ARCHITECTURE,
        NativeLoadException.classify("/t/a.so: /t/a.so: wrong ELF class: ELFCLASS32"));
    assertEquals(
        NativeLoadException.Reason.OTHER,
        NativeLoadException.classify("/t/a.so: undefined symbol: JNI_OnLoad_x"));
  }

  /** A real load of the other architecture's library (packed beside ours) is named as such. */
  @Test
  void theOtherArchitecturesLibraryIsRefusedAsAnotherArchitecture(@TempDir Path dir) throws Exception {
    String arch = System.getProperty("os.arch");
    String other =
        arch.equals("amd64") || arch.equals("x86_64") ? "linux-aarch64" : "linux-x86_64";
    Path packed = productionClasses().resolve(NativeLoader.resourcePath(other));
    assertTrue(Files.isRegularFile(packed), "the jar carries " + other);
    Path copy = Files.copy(packed, dir.resolve("other.so"));
    UnsatisfiedLinkError error =
        assertThrows(UnsatisfiedLinkError.class, () -> System.load(copy.toString()));
    NativeLoadException e = NativeLoadException.fromLinkError(error, dir.toString());
    assertEquals(NativeLoadException.Reason.WRONG_ARCHITECTURE, e.reason(), error.getMessage());
  }

  /** The plugin's local-home folder is created and used; the property still wins. */
  @Test
  void thePreferredDirectoryIsCreatedAndThePropertyWins(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("local-home/seatwarden/native");
    Path property = dir.resolve("from-property");
    String previous = System.getProperty(NativeLoader.DIR_PROPERTY);
    try {
      System.clearProperty(NativeLoader.DIR_PROPERTY);
      NativeLoader.preferDirectory(home);
      assertEquals(home, NativeLoader.copyDirectory());
      assertTrue(Files.isDirectory(home));
      assertEquals(
          "rwx------",
          java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(home)),
          "private to the product's user");
      System.setProperty(NativeLoader.DIR_PROPERTY, property.toString());
      assertEquals(property, NativeLoader.copyDirectory());
      assertTrue(Files.isDirectory(property));
    } finally {
      NativeLoader.preferDirectory(null);
      restore(NativeLoader.DIR_PROPERTY, previous);
    }
  }

  /**
   * A fresh classloader (a plugin upgrade) loads the shipped library from the configured
   * directory, leaves no copy there, and removes the copies an earlier version left in the
   * temp location.
   */
  @Test
  void anUpgradeLoadsFromTheConfiguredDirectoryAndRemovesOldCopies(@TempDir Path dir)
      throws Exception {
    Path legacy = Paths.get(System.getProperty("java.io.tmpdir"), "seatwarden-native");
    Files.createDirectories(legacy);
    Path leftover = Files.createTempFile(legacy, NativeLoader.COPY_PREFIX, ".so");
    Files.setLastModifiedTime(leftover, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
    Path target = dir.resolve("home/seatwarden/native");
    String previous = System.getProperty(NativeLoader.DIR_PROPERTY);
    System.setProperty(NativeLoader.DIR_PROPERTY, target.toString());
    try (URLClassLoader loader = productionLoader()) {
      Object info = call(loader, "libraryInfo");
      assertEquals(false, invoke(info, "testing"), "the shipped library");
      assertTrue(Files.isDirectory(target));
      try (var left = Files.list(target)) {
        assertEquals(java.util.List.of(), left.toList(), "the loaded copy is removed");
      }
      assertFalse(Files.exists(leftover), "an earlier version's copy is removed");
    } finally {
      Files.deleteIfExists(leftover);
      restore(NativeLoader.DIR_PROPERTY, previous);
    }
  }

  @Test
  void theJarHoldsTheLibraryWhereTheLoaderLooks() {
    String path = NativeLoader.resourcePath("linux-x86_64");
    assertEquals("native/linux-x86_64/" + System.mapLibraryName("seatwarden_jni"), path);
    assertTrue(Files.isRegularFile(productionClasses().resolve(path)), "packed into classes/");
  }

  @Test
  void versionMismatchIsAClearError() {
    LibraryInfo other = new LibraryInfo(NativeLoader.BRIDGE_VERSION + 1, "9.9.9", 1, false);
    IncompatibleLibraryException e =
        assertThrows(
            IncompatibleLibraryException.class,
            () -> NativeLoader.checkVersion(other, NativeLoader.BRIDGE_VERSION));
    assertEquals(
        "native library speaks bridge version 2, these classes expect version 1", e.getMessage());
    assertEquals(ErrorKind.BRIDGE, e.kind());
    LibraryInfo same = new LibraryInfo(NativeLoader.BRIDGE_VERSION, "0.1.0", 1, false);
    assertEquals(same, NativeLoader.checkVersion(same, NativeLoader.BRIDGE_VERSION));
  }

  @Test
  void staleCopiesAreDeletedFreshOnesAndOtherFilesKept(@TempDir Path dir) throws Exception {
    Path stale = Files.createFile(dir.resolve(NativeLoader.COPY_PREFIX + "old.so"));
    Path fresh = Files.createFile(dir.resolve(NativeLoader.COPY_PREFIX + "new.so"));
    Path other = Files.createFile(dir.resolve("unrelated.so"));
    Instant now = Instant.now();
    Files.setLastModifiedTime(stale, FileTime.from(now.minus(Duration.ofDays(2))));
    Files.setLastModifiedTime(other, FileTime.from(now.minus(Duration.ofDays(2))));
    assertEquals(1, NativeLoader.deleteStaleCopies(dir, now.minus(NativeLoader.STALE_AFTER)));
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh));
    assertTrue(Files.exists(other));
  }

  @Test
  void loadingDeletesItsTempCopy() throws Exception {
    Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "seatwarden-native");
    Engine.libraryInfo();
    try (URLClassLoader loader = productionLoader()) {
      call(loader, "libraryInfo");
    }
    if (Files.isDirectory(dir)) {
      try (var copies = Files.newDirectoryStream(dir, NativeLoader.COPY_PREFIX + "*")) {
        for (Path copy : copies) {
          // Other JVMs may be loading right now; only our own copies must be gone.
          assertTrue(
              Files.getLastModifiedTime(copy).toInstant().isBefore(Instant.now().minusSeconds(60))
                  || !Files.exists(copy),
              "leftover copy " + copy);
        }
      }
    }
  }

  /**
   * A plugin upgrade: the same classes in a fresh classloader load a second copy of the library
   * while the first is in use. This one is the production build packed into the jar.
   */
  @Test
  void aSecondClassLoaderLoadsItsOwnCopyOfTheShippedLibrary() throws Exception {
    try (Engine first = Engine.open(snapshot());
        URLClassLoader second = productionLoader();
        URLClassLoader third = productionLoader()) {
      Class<?> secondEngine = second.loadClass(Engine.class.getName());
      assertNotSame(Engine.class, secondEngine);

      Object info = call(second, "libraryInfo");
      assertEquals(NativeLoader.BRIDGE_VERSION, invoke(info, "bridgeVersion"));
      assertEquals(false, invoke(info, "testing"), "the jar's library has no testing entry points");

      try (AutoCloseable engine2 = (AutoCloseable) call(second, "open", snapshot());
          AutoCloseable engine3 = (AutoCloseable) call(third, "open", snapshot())) {
        byte[] request = queryRequest("{\"status\":\"deactivated\"}");
        byte[] page2 = (byte[]) invoke(engine2, "query", request);
        byte[] page3 = (byte[]) invoke(engine3, "query", request);
        assertEquals(java.util.List.of("JIRAUSER10103"), Fixtures.keys(page2));
        assertEquals(Fixtures.keys(page2), Fixtures.keys(page3));
        // The first copy is unaffected by the others.
        assertEquals(Fixtures.keys(page2), Fixtures.keys(first.query(request)));
        // Handles are per copy: the second copy's engines are not the first's.
        assertEquals(6, invoke(engine2, "userCount"));
      }
      // An error from the second copy is the second classloader's exception class.
      Throwable error =
          assertThrows(
              InvocationTargetException.class,
              () -> call(second, "open", Fixtures.utf8("{}")))
              .getCause();
      assertEquals(BadRequestException.class.getName(), error.getClass().getName());
      assertNotSame(BadRequestException.class, error.getClass());
    }
  }

  /**
   * A plugin upgrade with a service open: the second classloader's copy opens a service of its own
   * and calls back into objects of its own classloader, while the first copy's service keeps
   * answering.
   */
  @Test
  void aSecondClassLoaderOpensAServiceOfItsOwnWhileTheFirstRuns() throws Exception {
    try (NativeSeatwarden first =
            ServiceFixtures.open(
                ServiceFixtures.organisation(1),
                new io.seatwarden.bridge.testing.InMemoryRecordStore(),
                ServiceFixtures.DAY0);
        URLClassLoader second = productionLoader()) {
      java.util.List<String> storeCalls =
          java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      Class<?> hostType = second.loadClass(Host.class.getName());
      Class<?> storeType = second.loadClass(RecordStore.class.getName());
      assertNotSame(Host.class, hostType);
      Object host =
          java.lang.reflect.Proxy.newProxyInstance(
              second,
              new Class<?>[] {hostType},
              (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
              });
      // An empty store: what the service reads at open (the configuration) is not there.
      Object store =
          java.lang.reflect.Proxy.newProxyInstance(
              second,
              new Class<?>[] {storeType},
              (proxy, method, args) -> {
                storeCalls.add(method.getName());
                return switch (method.getName()) {
                  case "get", "getById", "update" -> java.util.Optional.empty();
                  case "scan" -> java.util.List.of();
                  case "count", "delete" -> 0L;
                  case "insert" -> new long[((java.util.List<?>) args[1]).size()];
                  default -> throw new UnsupportedOperationException(method.getName());
                };
              });
      Class<?> appType = second.loadClass(NativeSeatwarden.class.getName());
      assertNotSame(NativeSeatwarden.class, appType);
      Object builder = appType.getMethod("builder").invoke(null);
      builder.getClass().getMethod("host", hostType).invoke(builder, host);
      builder.getClass().getMethod("store", storeType).invoke(builder, store);
      builder.getClass().getMethod("nodeId", String.class).invoke(builder, "second");
      builder.getClass().getMethod("instanceName", String.class).invoke(builder, "Upgraded");
      AutoCloseable app = (AutoCloseable) invoke(builder, "open");
      try {
        assertTrue(storeCalls.contains("get"), "the service read its configuration: " + storeCalls);
        Class<?> contextType = second.loadClass(ApiRequest.Context.class.getName());
        Class<?> requestType = second.loadClass(ApiRequest.class.getName());
        Object context =
            contextType.getConstructors()[0].newInstance("K-admin", true, null, true, true);
        Object request =
            requestType.getConstructors()[0].newInstance(
                "GET", "/api/me", java.util.List.of(), new byte[0], context);
        Object response = invoke(app, "handle", request);
        assertEquals(200, invoke(response, "status"));
        String body =
            new String((byte[]) invoke(response, "body"), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(body.contains("\"instanceName\":\"Upgraded\""), body);
        // The first copy's service is unaffected.
        assertEquals(200, ServiceFixtures.call(first, "GET", "/api/users", null).status());
        // An error from the second copy's service is its own classloader's exception class.
        Throwable closed = null;
        app.close();
        try {
          invoke(app, "tick", 0L);
        } catch (InvocationTargetException e) {
          closed = e.getCause();
        }
        assertTrue(closed != null, "a call after close throws");
        assertEquals(EngineClosedException.class.getName(), closed.getClass().getName());
        assertNotSame(EngineClosedException.class, closed.getClass());
      } finally {
        app.close();
      }
    }
  }

  @Test
  void theOverridePropertyLoadsTheNamedFile() throws Exception {
    String testing = System.getProperty("seatwarden.test.testingLibrary");
    String previous = System.getProperty(NativeLoader.PATH_PROPERTY);
    System.setProperty(NativeLoader.PATH_PROPERTY, testing);
    try (URLClassLoader loader = productionLoader()) {
      Object info = call(loader, "libraryInfo");
      assertEquals(true, invoke(info, "testing"), "the override, not the jar's library");
    } finally {
      restore(previous);
    }
  }

  @Test
  void aMissingOverrideIsABridgeExceptionNamingTheProperty() throws Exception {
    String previous = System.getProperty(NativeLoader.PATH_PROPERTY);
    System.setProperty(NativeLoader.PATH_PROPERTY, "/nonexistent/libseatwarden_jni.so");
    try (URLClassLoader loader = productionLoader()) {
      Throwable e =
          assertThrows(InvocationTargetException.class, () -> call(loader, "libraryInfo"))
              .getCause();
      assertEquals(BridgeException.class.getName(), e.getClass().getName());
      assertEquals(
          "native library override `/nonexistent/libseatwarden_jni.so` (seatwarden.native.path)"
              + " is not a file",
          e.getMessage());
      // The failure sticks for that classloader: no second, half-loaded attempt.
      Throwable again =
          assertThrows(InvocationTargetException.class, () -> call(loader, "libraryInfo"))
              .getCause();
      assertEquals(e.getMessage(), again.getMessage());
    } finally {
      restore(previous);
    }
  }

  private static void restore(String previous) {
    restore(NativeLoader.PATH_PROPERTY, previous);
  }

  private static void restore(String property, String previous) {
    if (previous == null) {
      System.clearProperty(property);
    } else {
      System.setProperty(property, previous);
    }
  }

  /** target-java/<platform>/classes: the production classes and library, as in the jar. */
  private static Path productionClasses() {
    return Paths.get(System.getProperty("seatwarden.test.classes"));
  }

  /** A classloader over the production classes only, as a plugin framework would create. */
  private static URLClassLoader productionLoader() throws Exception {
    URL classes = productionClasses().toUri().toURL();
    return new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader());
  }

  /** Calls a static method of that loader's {@code Engine}. */
  private static Object call(ClassLoader loader, String method, Object... args) throws Exception {
    Class<?> engine = loader.loadClass(Engine.class.getName());
    for (Method m : engine.getMethods()) {
      if (m.getName().equals(method) && m.getParameterCount() == args.length) {
        return m.invoke(null, args);
      }
    }
    throw new NoSuchMethodException(method);
  }

  private static Object invoke(Object target, String method, Object... args) throws Exception {
    for (Method m : target.getClass().getMethods()) {
      if (m.getName().equals(method) && m.getParameterCount() == args.length) {
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(method);
  }
}
