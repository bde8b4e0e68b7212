package io.seatwarden.bridge;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The native library could not be loaded on this node, with the reason an administrator can act
 * on.
 *
 * <p>{@link System#load} reports every failure as one {@link UnsatisfiedLinkError} whose message
 * is the dynamic loader's {@code dlerror()} text. The plugin keeps that failure and shows it in
 * the admin UI and the product log (instead of answering "starting" for ever), so the text is
 * turned into a {@link Reason} with a sentence saying what to do: a C library older than the
 * library needs, an extraction directory mounted {@code noexec}, a library for another
 * architecture, or no library for this platform in the jar at all. The loader's own text stays in
 * the message (it names a file path and a symbol version, never a person).
 */
public final class NativeLoadException extends BridgeException {
  private static final long serialVersionUID = 1L;

  /** Why the library did not load. */
  public enum Reason {
    /** The jar has no library for this operating system and architecture. */
    NO_LIBRARY_FOR_PLATFORM("the plugin has no native library for this platform"),
    /** The node's glibc is older than a symbol version the library needs. */
    GLIBC_TOO_OLD("the node's C library (glibc) is older than the native library needs"),
    /** The directory the library was copied to does not allow executable mappings. */
    NOEXEC_DIRECTORY(
        "the directory the native library was extracted to is mounted noexec; set the JVM"
            + " property seatwarden.native.dir to a directory that allows executables"),
    /** The library was built for another processor architecture or word size. */
    WRONG_ARCHITECTURE("the native library was built for another processor architecture"),
    /** The library could not be copied out of the jar (disk full, permissions). */
    EXTRACTION_FAILED("the native library could not be copied out of the plugin jar"),
    /** Anything else the dynamic loader refused. */
    OTHER("the dynamic loader refused the native library");

    private final String explanation;

    Reason(String explanation) {
      this.explanation = explanation;
    }

    /** What this reason means for an administrator, in one sentence without a full stop. */
    public String explanation() {
      return explanation;
    }

    /** The reason's name as shown in the API ({@code glibc_too_old}). */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code version `GLIBC_2.34' not found}: the symbol version glibc lacks. */
  private static final Pattern GLIBC_VERSION =
      Pattern.compile("version [`'\"]?(GLIBC_[0-9.]+)[`'\"]? not found");

  private final Reason reason;

  /** A failure for {@code reason}; {@code detail} is the loader's or the file system's own text. */
  public NativeLoadException(Reason reason, String detail, Map<String, Object> details, Throwable cause) {
    super(
        "cannot load the native library: " + reason.explanation() + " (" + detail + ")",
        withReason(reason, details),
        cause);
    this.reason = reason;
  }

  /** Why it failed. */
  public Reason reason() {
    return reason;
  }

  /** The failure for an {@link UnsatisfiedLinkError} raised while loading {@code directory}'s copy. */
  static NativeLoadException fromLinkError(UnsatisfiedLinkError error, String directory) {
    String text = error.getMessage() == null ? "" : error.getMessage();
    Reason reason = classify(text);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("directory", directory);
    Matcher glibc = GLIBC_VERSION.matcher(text);
    if (glibc.find()) {
      details.put("missingVersion", glibc.group(1));
    }
    return new NativeLoadException(reason, text, details, error);
  }

  /**
   * The reason behind a {@code dlopen} error text (glibc's wording: {@code dl-version.c},
   * {@code dl-load.c}; see docs/plugin.md "Native library").
   */
  static Reason classify(String loaderText) {
    String text = loaderText.toLowerCase(Locale.ROOT);
    if (GLIBC_VERSION.matcher(loaderText).find()) {
      return Reason.GLIBC_TOO_OLD;
    }
    if (text.contains("failed to map segment from shared object")) {
      // mmap with PROT_EXEC refused (EPERM): the file system is mounted noexec.
      return Reason.NOEXEC_DIRECTORY;
    }
    if (text.contains("wrong elf class")
        || text.contains("elf file's") // glibc: "ELF file's machine/OS ABI ... does not match"
        || text.contains("invalid elf header")
        || text.contains("cannot open shared object file: no such file or directory")) {
      // The last one: glibc's open_verify reports a same-class ELF for another machine as ENOENT.
      return Reason.WRONG_ARCHITECTURE;
    }
    return Reason.OTHER;
  }

  private static Map<String, Object> withReason(Reason reason, Map<String, Object> details) {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("reason", reason.code());
    if (details != null) {
      all.putAll(details);
    }
    return all;
  }
}
