package io.seatwarden.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Loads a native library of another architecture the way the JVM would (dlopen, every symbol
 * bound at once), through a tiny C program built for that architecture with zig and run under
 * qemu user emulation. Proves more than the symbol-version check: that the library's dynamic
 * section, relocations and imports resolve against a real aarch64 glibc.
 */
final class NativeCheck {

  /** The loader program: dlopen(RTLD_NOW) the library, dlsym one entry point. */
  static final String LOADER_C =
      String.join(
          "\n",
          "#include <dlfcn.h>",
          "#include <stdio.h>",
          "int main(int argc, char **argv) {",
          "  if (argc != 3) { fprintf(stderr, \"usage: loader LIB SYMBOL\\n\"); return 64; }",
          "  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);",
          "  if (!lib) { fprintf(stderr, \"%s\\n\", dlerror()); return 1; }",
          "  if (!dlsym(lib, argv[2])) { fprintf(stderr, \"%s\\n\", dlerror()); return 2; }",
          "  printf(\"loaded %s\\n\", argv[2]);",
          "  return 0;",
          "}",
          "");

  /** Debian's aarch64 C library for qemu (package libc6-arm64-cross). */
  static final String AARCH64_SYSROOT = "/usr/aarch64-linux-gnu";

  /** What a command printed (stdout and stderr) and how it ended. */
  record Result(int exitCode, String output) {}

  private NativeCheck() {}

  static boolean hostIsX86_64() {
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux")
        && (arch.equals("amd64") || arch.equals("x86_64"));
  }

  /** Builds the aarch64 loader in {@code dir} and runs it on {@code lib} under qemu-aarch64. */
  static Result loadUnderQemu(Path dir, Path lib, String symbol) throws IOException, InterruptedException {
    Path source = dir.resolve("loader.c");
    Files.writeString(source, LOADER_C, StandardCharsets.UTF_8);
    Path loader = dir.resolve("loader");
    List<String> build = new ArrayList<>(zig());
    build.addAll(
        List.of("cc", "-target", "aarch64-linux-gnu.2.17", "-o", loader.toString(), source.toString()));
    Result built = run(build, dir);
    if (built.exitCode() != 0) {
      throw new IllegalStateException("zig cc could not build the aarch64 loader: " + built.output());
    }
    return run(
        List.of("qemu-aarch64", "-L", AARCH64_SYSROOT, loader.toString(), lib.toString(), symbol), dir);
  }

  /** {@code zig} from PATH, else the PyPI ziglang package's {@code python3 -m ziglang}. */
  private static List<String> zig() throws IOException, InterruptedException {
    if (onPath("zig")) {
      return List.of("zig");
    }
    return List.of("python3", "-m", "ziglang");
  }

  private static boolean onPath(String tool) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Runs a command to its end (bounded by a generous deadline, never a timed assertion). */
  static Result run(List<String> command, Path dir) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return new Result(-1, String.join(" ", command) + " did not end");
    }
    return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
