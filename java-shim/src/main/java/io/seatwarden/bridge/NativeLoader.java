package io.seatwarden.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * Loads the native library for this platform, once per classloader.
 *
 * <p>The library ships inside the jar under {@code native/<os>-<arch>/} (see {@link
 * #platformId}). It is copied to a uniquely named file and loaded from there with {@link
 * System#load}: a plugin upgrade loads the new jar in a new classloader while the old one may
 * still be alive, and the JVM refuses to load the same file into two classloaders. Each copy of
 * the library has its own native state, so the two never interfere.
 *
 * <p>On POSIX systems the temp file is deleted right after loading (the mapping stays valid);
 * where that is impossible (Windows) it is deleted on exit, and copies left behind by crashed or
 * killed JVMs are deleted at the next load once they are older than {@link #STALE_AFTER}.
 *
 * <p>Where the copy goes: the directory named by the system property {@value #DIR_PROPERTY} if
 * set, else the one the plugin gave {@link #preferDirectory} (the product's local home, which the
 * product itself runs from), else {@code java.io.tmpdir}. The temp directory is the last resort
 * because hardened nodes mount {@code /tmp} {@code noexec}, where every {@code System.load}
 * fails. Copies left in the old temp location by an earlier version are cleaned up too.
 *
 * <p>A library that does not load is a {@link NativeLoadException} naming the reason (a glibc too
 * old, a {@code noexec} directory, another architecture, none for this platform), kept for this
 * classloader so the plugin can show it.
 *
 * <p>The system property {@value #PATH_PROPERTY} names a library file to use instead of the one
 * in the jar (development, tests); it is copied the same way.
 *
 * <p>After loading, the library's bridge version is compared with {@link #BRIDGE_VERSION}; a
 * mismatch is an {@link IncompatibleLibraryException}.
 */
public final class NativeLoader {
  /** The system property that overrides the library file. */
  public static final String PATH_PROPERTY = "seatwarden.native.path";

  /** The system property naming the directory the library is copied to before loading. */
  public static final String DIR_PROPERTY = "seatwarden.native.dir";

  /** The bridge protocol version these classes speak; the library must report the same. */
  public static final int BRIDGE_VERSION = 1;

  /** The library's base name; {@link System#mapLibraryName} adds the platform's decoration. */
  static final String LIBRARY_NAME = "seatwarden_jni";

  /** Prefix of the temp copies, which is how stale ones are recognised. */
  static final String COPY_PREFIX = "seatwarden_jni-";

  /** Copies older than this are stale: no loader takes this long between copy and load. */
  static final Duration STALE_AFTER = Duration.ofHours(1);

  private static final Object LOCK = new Object();
  private static volatile LibraryInfo loaded;
  private static BridgeException failure;
  private static volatile Path preferredDirectory;

  private NativeLoader() {}

  /**
   * Copy the library into {@code directory} (created if missing) rather than the temp directory;
   * the plugin passes a folder of the product's local home. The {@value #DIR_PROPERTY} property
   * still wins. Has no effect once the library is loaded.
   */
  public static void preferDirectory(Path directory) {
    preferredDirectory = directory;
  }

  /**
   * Loads the library if this classloader has not yet, checks its version, and describes it.
   *
   * @throws BridgeException if there is no library for this platform or it cannot be loaded
   * @throws IncompatibleLibraryException if it speaks another bridge version
   */
  public static LibraryInfo load() {
    LibraryInfo info = loaded;
    if (info != null) {
      return info;
    }
    synchronized (LOCK) {
      if (loaded != null) {
        return loaded;
      }
      if (failure != null) {
        // The library may be half-loaded; never try twice in one classloader.
        throw failure;
      }
      Path dir = null;
      try {
        dir = copyDirectory();
        Path copy = extract(dir);
        try {
          System.load(copy.toAbsolutePath().toString());
        } finally {
          discard(copy);
        }
        info = checkVersion(LibraryInfo.from(Envelope.unwrapObject(Native.version())), BRIDGE_VERSION);
        loaded = info;
        return info;
      } catch (BridgeException e) {
        failure = e;
        throw e;
      } catch (UnsatisfiedLinkError e) {
        failure = NativeLoadException.fromLinkError(e, String.valueOf(dir));
        throw failure;
      } catch (IOException | SecurityException e) {
        failure =
            new NativeLoadException(
                NativeLoadException.Reason.EXTRACTION_FAILED,
                e.toString(),
                Map.of("directory", String.valueOf(dir)),
                e);
        throw failure;
      }
    }
  }

  /** {@code info} if it speaks bridge version {@code expected}; otherwise the mismatch error. */
  static LibraryInfo checkVersion(LibraryInfo info, int expected) {
    if (info.bridgeVersion() != expected) {
      throw new IncompatibleLibraryException(expected, info.bridgeVersion());
    }
    return info;
  }

  /**
   * The directory name for an {@code os.name} / {@code os.arch} pair, e.g. {@code linux-x86_64};
   * one of {@code linux-x86_64}, {@code linux-aarch64}, {@code darwin-x86_64}, {@code
   * darwin-aarch64}, {@code windows-x86_64}, {@code windows-aarch64}.
   *
   * @throws BridgeException for any other platform
   */
  public static String platformId(String osName, String osArch) {
    String name = osName.toLowerCase(Locale.ROOT);
    String os;
    if (name.startsWith("linux")) {
      os = "linux";
    } else if (name.startsWith("mac") || name.startsWith("darwin")) {
      os = "darwin";
    } else if (name.startsWith("windows")) {
      os = "windows";
    } else {
      throw new NativeLoadException(
          NativeLoadException.Reason.NO_LIBRARY_FOR_PLATFORM,
          "operating system `" + osName + "`",
          Map.of("os", osName, "arch", osArch),
          null);
    }
    String arch;
    switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64":
      case "x86_64":
      case "x64":
        arch = "x86_64";
        break;
      case "aarch64":
      case "arm64":
        arch = "aarch64";
        break;
      default:
        throw new NativeLoadException(
            NativeLoadException.Reason.NO_LIBRARY_FOR_PLATFORM,
            "architecture `" + osArch + "`",
            Map.of("os", osName, "arch", osArch),
            null);
    }
    return os + "-" + arch;
  }

  /** Where the library for {@code platformId} lives in the jar. */
  static String resourcePath(String platformId) {
    return "native/" + platformId + "/" + System.mapLibraryName(LIBRARY_NAME);
  }

  private static Path extract(Path dir) throws IOException {
    deleteStaleCopies(dir, Instant.now().minus(STALE_AFTER));
    String name = System.mapLibraryName(LIBRARY_NAME);
    String suffix = name.substring(name.lastIndexOf('.'));
    Path copy = Files.createTempFile(dir, COPY_PREFIX, suffix);
    String override = System.getProperty(PATH_PROPERTY);
    if (override != null && !override.isEmpty()) {
      Path source = Paths.get(override);
      if (!Files.isRegularFile(source)) {
        Files.deleteIfExists(copy);
        throw new BridgeException(
            "native library override `" + override + "` (" + PATH_PROPERTY + ") is not a file");
      }
      Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
      return copy;
    }
    String platform = platformId(System.getProperty("os.name"), System.getProperty("os.arch"));
    String resource = resourcePath(platform);
    try (InputStream in = NativeLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        Files.deleteIfExists(copy);
        throw new NativeLoadException(
            NativeLoadException.Reason.NO_LIBRARY_FOR_PLATFORM,
            platform + ", expected `" + resource + "` in the jar",
            Map.of("platform", platform, "resource", resource),
            null);
      }
      Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
    }
    return copy;
  }

  /**
   * The directory for copies: {@value #DIR_PROPERTY}, else the {@link #preferDirectory preferred}
   * one (both created private to this user if missing, and used only if this user owns them),
   * else {@link #tempDirectory}. Choosing a configured directory
   * also removes stale copies an earlier version left in the temp location.
   */
  static Path copyDirectory() throws IOException {
    String property = System.getProperty(DIR_PROPERTY);
    Path chosen =
        property != null && !property.isBlank() ? Paths.get(property) : preferredDirectory;
    if (chosen == null) {
      return tempDirectory();
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      // Private to the product's user, like the temp folder: nobody else may swap the library.
      Files.createDirectories(
          chosen,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(chosen);
    }
    if (!ownedByUs(chosen)) {
      // Someone else's folder (or a link to one): never load a library from there.
      return tempDirectory();
    }
    Path legacy = Paths.get(System.getProperty("java.io.tmpdir")).resolve("seatwarden-native");
    if (Files.isDirectory(legacy, LinkOption.NOFOLLOW_LINKS) && ownedByUs(legacy)) {
      deleteStaleCopies(legacy, Instant.now().minus(STALE_AFTER));
    }
    return chosen;
  }

  /**
   * The temp directory for copies: {@code <tmpdir>/seatwarden-native}, private to this user; a
   * fresh private temp directory if that one belongs to someone else or is a link.
   */
  private static Path tempDirectory() throws IOException {
    Path tmp = Paths.get(System.getProperty("java.io.tmpdir"));
    Path dir = tmp.resolve("seatwarden-native");
    boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    try {
      if (posix) {
        Files.createDirectory(
            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectory(dir);
      }
    } catch (java.nio.file.FileAlreadyExistsException exists) {
      // Reuse it below if it is ours.
    }
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && ownedByUs(dir)) {
      return dir;
    }
    return Files.createTempDirectory(tmp, "seatwarden-native-");
  }

  private static boolean ownedByUs(Path dir) {
    try {
      UserPrincipal us =
          FileSystems.getDefault()
              .getUserPrincipalLookupService()
              .lookupPrincipalByName(System.getProperty("user.name"));
      return us.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS));
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /**
   * Deletes copies in {@code dir} last modified before {@code cutoff}; returns how many. A copy
   * another JVM still has loaded cannot be deleted on Windows and is harmless to delete elsewhere.
   */
  static int deleteStaleCopies(Path dir, Instant cutoff) {
    int deleted = 0;
    try (DirectoryStream<Path> copies = Files.newDirectoryStream(dir, COPY_PREFIX + "*")) {
      for (Path copy : copies) {
        try {
          FileTime modified = Files.getLastModifiedTime(copy, LinkOption.NOFOLLOW_LINKS);
          if (modified.toInstant().isBefore(cutoff) && Files.deleteIfExists(copy)) {
            deleted++;
          }
        } catch (IOException | SecurityException inUse) {
          // Loaded by a live JVM (Windows) or already gone: leave it.
        }
      }
    } catch (IOException | SecurityException e) {
      // Cleaning up is best effort; loading does not depend on it.
    }
    return deleted;
  }

  /** Removes the copy once loaded, where the platform allows deleting a loaded library. */
  private static void discard(Path copy) {
    try {
      Files.delete(copy);
    } catch (IOException | SecurityException e) {
      copy.toFile().deleteOnExit();
    }
  }
}
