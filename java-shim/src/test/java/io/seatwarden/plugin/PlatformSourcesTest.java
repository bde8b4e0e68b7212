package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The source split behind the two jars (docs/plugin.md, "Two jars"): shared code never imports a
 * servlet API, and the servlet folders ({@code src/javax}, {@code src/test-javax}, compiled as
 * they are for Platform 7 and renamed to {@code jakarta.servlet} for Platform 8) hold only classes
 * that do, and name nothing of Platform 7 but {@code javax.servlet}, so the rename is the whole
 * difference between the jars.
 */
class PlatformSourcesTest {

  private static final Pattern SERVLET_IMPORT =
      Pattern.compile("(?m)^import (static )?(javax|jakarta)\\.servlet");

  /** A Platform-7-only name other than the servlet API that the rename would leave behind. */
  private static final Pattern OTHER_JAVAX = Pattern.compile("javax\\.(?!servlet)[a-z]+");

  private static Path sources() {
    String dir = System.getProperty("seatwarden.test.sources");
    assumeTrue(dir != null, "seatwarden.test.sources is not set: run through Maven");
    return Path.of(dir);
  }

  @Test
  void sharedSourcesNameNeitherServletApi() throws IOException {
    List<String> offenders = new ArrayList<>();
    for (String shared : List.of("main", "test")) {
      Path root = sources().resolve(shared).resolve("java");
      for (String file : javaFiles(root)) {
        if (SERVLET_IMPORT.matcher(Files.readString(root.resolve(file), StandardCharsets.UTF_8)).find()) {
          offenders.add(shared + "/" + file);
        }
      }
    }
    assertEquals(List.of(), offenders, "shared code must reach the servlet API through an adapter");
  }

  @Test
  void servletFoldersHoldOnlyServletClassesThatTheRenameCompletelyPorts() throws IOException {
    List<String> problems = new ArrayList<>();
    int files = 0;
    for (String folder : List.of("javax", "test-javax")) {
      Path root = sources().resolve(folder).resolve("java");
      for (String file : javaFiles(root)) {
        files++;
        String text = Files.readString(root.resolve(file), StandardCharsets.UTF_8);
        if (!text.contains("import javax.servlet")) {
          problems.add(folder + "/" + file + " does not use the servlet API: move it to shared code");
        }
        if (text.contains("import jakarta")) {
          problems.add(folder + "/" + file + " names jakarta: write it against javax.servlet");
        }
        if (OTHER_JAVAX.matcher(text).find()) {
          problems.add(folder + "/" + file + " names another javax package the rename would keep");
        }
      }
    }
    assertFalse(files == 0, "no servlet sources found under " + sources());
    assertEquals(List.of(), problems);
  }

  private static TreeSet<String> javaFiles(Path root) throws IOException {
    TreeSet<String> files = new TreeSet<>();
    if (!Files.isDirectory(root)) {
      return files;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.filter(p -> p.toString().endsWith(".java"))
          .forEach(p -> files.add(root.relativize(p).toString()));
    }
    return files;
  }
}
