package io.seatwarden.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden scenarios of {@code tests/golden/} (also run by {@code cargo test -p
 * seatwarden-golden}) evaluated by the library Java loads, compared here with each file's
 * {@code expect}: the same plans, skips, reasons, warnings, guard and health verdicts, login
 * outcomes and schedules as {@code cargo test} sees.
 */
class GoldenScenariosTest {
  /** Loads the testing library: run alone, nothing else would before the first native call. */
  @BeforeAll
  static void load() {
    assertTrue(Engine.libraryInfo().testing());
  }

  static Path goldenDir() {
    Path dir = Paths.get(System.getProperty("user.dir")).resolve("../tests/golden").normalize();
    if (!Files.isDirectory(dir)) {
      dir = Paths.get(System.getProperty("user.dir")).resolve("tests/golden");
    }
    return dir;
  }

  static Stream<Path> scenarios() throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(goldenDir())) {
      list.filter(p -> p.toString().endsWith(".json")).sorted().forEach(files::add);
    }
    assertTrue(files.size() >= 12, "expected the golden scenarios in " + goldenDir());
    return files.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void theLibraryGivesTheExpectedOutcome(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    Map<String, Object> doc = Json.parseObject(bytes);
    String name = (String) doc.get("name");
    assertEquals(file.getFileName().toString(), name + ".json", "a file's name is its scenario's");
    Map<String, Object> actual = Json.parseObject(Envelope.unwrap(NativeTesting.testGolden(bytes)));
    switch ((String) doc.get("kind")) {
      case "plan" -> plan(name, Codec.object(doc.get("expect"), "expect"), actual);
      case "login" -> login(name, doc, actual);
      case "schedule" ->
          assertEquals(
              Codec.object(doc.get("expect"), "expect").get("runs"),
              actual.get("runs"),
              name + ": runs");
      default -> throw new AssertionError(name + ": unknown kind");
    }
  }

  private static void plan(String name, Map<String, Object> expect, Map<String, Object> actual) {
    assertEquals(expect.get("mode"), actual.get("mode"), name + ": mode");
    assertEquals(expect.get("status"), actual.get("status"), name + ": status");
    List<Object> operations = Codec.list(actual.get("operations"), "operations");
    if (expect.containsKey("operations")) {
      assertEquals(expect.get("operations"), operations, name + ": operations");
    }
    if (expect.containsKey("operationCount")) {
      assertEquals(expect.get("operationCount"), (long) operations.size(), name + ": count");
    }
    for (String field : List.of("skipped", "warnings", "guard", "health")) {
      assertEquals(orEmpty(expect.get(field)), actual.get(field), name + ": " + field);
    }
    if (expect.containsKey("due")) {
      assertEquals(expect.get("due"), actual.get("due"), name + ": due warnings");
    }
    if (expect.get("reasons") instanceof Map<?, ?> reasons) {
      Map<String, Object> actualReasons = Codec.object(actual.get("reasons"), "reasons");
      for (Map.Entry<?, ?> e : reasons.entrySet()) {
        assertEquals(e.getValue(), actualReasons.get((String) e.getKey()), name + ": reason of " + e.getKey());
      }
    }
    if (expect.get("skipTexts") instanceof Map<?, ?> texts) {
      Map<String, Object> actualTexts = Codec.object(actual.get("skipTexts"), "skipTexts");
      for (Map.Entry<?, ?> e : texts.entrySet()) {
        assertEquals(e.getValue(), actualTexts.get((String) e.getKey()), name + ": skip text of " + e.getKey());
      }
    }
  }

  private static void login(String name, Map<String, Object> doc, Map<String, Object> actual) {
    List<Object> expected = Codec.list(doc.get("logins"), "logins");
    List<Object> got = Codec.list(actual.get("logins"), "logins");
    assertEquals(expected.size(), got.size(), name + ": logins");
    for (int i = 0; i < expected.size(); i++) {
      Map<String, Object> e = Codec.object(expected.get(i), "login");
      Map<String, Object> a = Codec.object(got.get(i), "login");
      Map<String, Object> ex = Codec.object(e.get("expect"), "expect");
      String what = name + ": login of " + e.get("user");
      assertEquals(e.get("user"), a.get("user"), what);
      assertEquals(orEmpty(ex.get("operations")), a.get("operations"), what + ": operations");
      assertEquals(orEmpty(ex.get("skipped")), a.get("skipped"), what + ": skipped");
    }
  }

  private static Object orEmpty(Object list) {
    return list == null ? List.of() : list;
  }
}
