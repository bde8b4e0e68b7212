package io.seatwarden.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Opens the plugin jar `mvn package` built and checks it is what Jira and Confluence load: the
 * descriptor at the root, an OSGi manifest importing what the shim uses (product packages
 * optional) and bundling no Atlassian class, the native library where {@code NativeLoader} looks,
 * the UI where the servlet serves it from. Run once per jar (Platform 7 and Platform 8): {@code
 * seatwarden.platform} says which, and the checks that differ between them are {@link Platform}'s.
 */
class PluginJarIT {

  /** What differs between the two jars. */
  enum Platform {
    /** Jira 10 / Confluence 9: Servlet 4 ({@code javax}), Java 17 (class file 61). */
    PLATFORM7("javax.servlet", "jakarta.servlet", 61),
    /** Jira 11 / Confluence 10: Servlet 6 ({@code jakarta}), Java 21 (class file 65). */
    PLATFORM8("jakarta.servlet", "javax.servlet", 65);

    final String servlet;
    final String otherServlet;
    final int classVersion;

    Platform(String servlet, String otherServlet, int classVersion) {
      this.servlet = servlet;
      this.otherServlet = otherServlet;
      this.classVersion = classVersion;
    }

    static Platform current() {
      String id = System.getProperty("seatwarden.platform", "");
      assumeTrue(!id.isEmpty(), "seatwarden.platform is not set: run through failsafe (mvn verify)");
      return valueOf(id.toUpperCase(java.util.Locale.ROOT));
    }
  }

  private static JarFile jar;
  private static List<String> entries;
  private static Attributes manifest;
  private static Map<String, String> imports;

  @BeforeAll
  static void open() throws IOException {
    String path = System.getProperty("seatwarden.plugin.jar");
    // Failsafe sets it after `package`; a surefire run picked this class up by a -Dtest pattern.
    assumeTrue(path != null, "seatwarden.plugin.jar is not set: run through failsafe (mvn verify)");
    assertTrue(Files.isRegularFile(Path.of(path)), "no plugin jar at " + path);
    jar = new JarFile(path);
    entries = Collections.list(jar.entries()).stream().map(JarEntry::getName).toList();
    manifest = jar.getManifest().getMainAttributes();
    imports = parseImports(manifest.getValue("Import-Package"));
  }

  @Test
  void descriptorIsAtTheRootWithItsKeyAndModules() throws Exception {
    Document descriptor = xml("atlassian-plugin.xml");
    Element root = descriptor.getDocumentElement();
    assertEquals("atlassian-plugin", root.getTagName());
    String key = System.getProperty("seatwarden.plugin.key");
    assertEquals(key, root.getAttribute("key"));
    assertEquals("2", root.getAttribute("plugins-version"));
    String text = read("atlassian-plugin.xml");
    assertFalse(text.contains("${"), "unfiltered placeholder in the descriptor");
    assertTrue(text.contains("atlassian-data-center-compatible"));
    // Every class the descriptor names is in the jar (or is a product class, imported).
    for (String tag : List.of("servlet", "servlet-filter", "entity", "condition")) {
      NodeList nodes = descriptor.getElementsByTagName(tag);
      assertTrue(nodes.getLength() > 0, "no <" + tag + "> in the descriptor");
      for (int i = 0; i < nodes.getLength(); i++) {
        Element e = (Element) nodes.item(i);
        String cls = tag.equals("entity") ? e.getTextContent().trim() : e.getAttribute("class");
        if (cls.startsWith("io.seatwarden.")) {
          assertTrue(entries.contains(cls.replace('.', '/') + ".class"), cls + " is not in the jar");
        } else {
          String pkg = cls.substring(0, cls.lastIndexOf('.'));
          assertTrue(imports.containsKey(pkg), cls + "'s package is not imported");
        }
      }
    }
    // Product-only modules are restricted to their product.
    NodeList filters = descriptor.getElementsByTagName("servlet-filter");
    for (int i = 0; i < filters.getLength(); i++) {
      assertEquals(1, ((Element) filters.item(i)).getElementsByTagName("restrict").getLength());
    }
  }

  @Test
  void springWiringAndI18nArePacked() throws IOException {
    String spring = read("META-INF/spring/seatwarden.xml");
    assertTrue(spring.contains("io.seatwarden.plugin.SeatwardenPlugin"));
    Matcher refs = Pattern.compile("interface=\"([a-z.]+)\\.[A-Z]\\w*\"").matcher(spring);
    int n = 0;
    while (refs.find()) {
      n++;
      assertTrue(imports.containsKey(refs.group(1)), refs.group(1) + " (Spring XML) is not imported");
    }
    assertTrue(n >= 8, "expected the OSGi service references in the Spring XML");
    assertTrue(entries.contains("i18n/seatwarden.properties"));
  }

  @Test
  void manifestIsATransformerlessBundle() {
    String key = System.getProperty("seatwarden.plugin.key");
    assertEquals(key, manifest.getValue("Bundle-SymbolicName"));
    assertEquals(key, manifest.getValue("Atlassian-Plugin-Key"));
    assertEquals("*", manifest.getValue("Spring-Context"));
    assertEquals("2", manifest.getValue("Bundle-ManifestVersion"));
    String exports = manifest.getValue("Export-Package");
    assertTrue(exports == null || exports.isBlank(), "the plugin exports nothing: " + exports);
  }

  @Test
  void manifestImportsWhatTheShimUsesProductPackagesOptional() {
    for (String pkg :
        List.of(
            "com.atlassian.sal.api.user",
            "com.atlassian.sal.api.websudo",
            "com.atlassian.sal.api.xsrf",
            "com.atlassian.scheduler",
            "com.atlassian.scheduler.config",
            "com.atlassian.beehive",
            "com.atlassian.activeobjects.external",
            "com.atlassian.event.api",
            "com.atlassian.crowd.embedded.api",
            "net.java.ao",
            "net.java.ao.schema",
            Platform.current().servlet,
            Platform.current().servlet + ".http",
            "org.osgi.framework")) {
      assertTrue(imports.containsKey(pkg), pkg + " is not imported: " + imports.keySet());
      assertFalse(imports.get(pkg).contains("optional"), pkg + " must be mandatory");
    }
    for (String pkg :
        List.of(
            "com.atlassian.jira.event.user",
            "com.atlassian.jira.bc.user",
            "com.atlassian.confluence.event.events.security",
            "com.atlassian.confluence.user")) {
      assertTrue(imports.containsKey(pkg), pkg + " is not imported");
      assertTrue(imports.get(pkg).contains("resolution:=optional"), pkg + " must be optional");
    }
    for (Map.Entry<String, String> e : imports.entrySet()) {
      String pkg = e.getKey();
      if (pkg.startsWith("com.atlassian.jira") || pkg.startsWith("com.atlassian.confluence")) {
        assertTrue(e.getValue().contains("resolution:=optional"), pkg + " must be optional");
      }
      assertFalse(pkg.startsWith("io.seatwarden"), "imports its own package " + pkg);
    }
  }

  /**
   * Undocumented Crowd packages are optional, so they can never stop the bundle from resolving:
   * the Jira-only ones (JiraHost, CrowdUserPager) are checked when Jira's binding starts
   * ({@code OptionalPackages}, a precise start failure), and {@code crowd.model.user} (creation
   * dates, both products) falls back when absent ({@code CrowdDirectories.created}).
   */
  @Test
  void undocumentedCrowdPackagesAreOptional() {
    for (String pkg :
        List.of(
            "com.atlassian.crowd.embedded.impl",
            "com.atlassian.crowd.exception.embedded",
            "com.atlassian.crowd.search",
            "com.atlassian.crowd.search.builder",
            "com.atlassian.crowd.search.query.entity",
            "com.atlassian.crowd.model.user")) {
      assertTrue(imports.containsKey(pkg), pkg + " is not imported");
      assertTrue(imports.get(pkg).contains("resolution:=optional"), pkg + " must be optional");
    }
    // The documented embedded Crowd API both products' code needs stays mandatory.
    assertFalse(imports.get("com.atlassian.crowd.embedded.api").contains("optional"));
  }

  /**
   * The Spring DM / Gemini Blueprint packages Atlassian's transformerless plugins import, all
   * optional (no class of the shim uses them, so bnd would not add them by itself).
   */
  @Test
  void springOsgiPackagesAreImportedOptionally() {
    for (String pkg :
        List.of(
            "org.springframework.osgi.context",
            "org.springframework.osgi.service.exporter.support",
            "org.springframework.osgi.service.importer.support",
            "org.eclipse.gemini.blueprint.context",
            "org.eclipse.gemini.blueprint.service.exporter",
            "org.eclipse.gemini.blueprint.service.exporter.support",
            "org.eclipse.gemini.blueprint.service.importer.support")) {
      assertTrue(imports.containsKey(pkg), pkg + " is not imported: " + imports.keySet());
      assertTrue(imports.get(pkg).contains("resolution:=optional"), pkg + " must be optional");
    }
  }

  @Test
  void noMirrorClassIsPackaged() {
    List<String> leaked = new ArrayList<>();
    for (String entry : entries) {
      if (entry.startsWith("com/atlassian/") || entry.startsWith("net/java/ao/")
          || entry.startsWith("javax/") || entry.startsWith("jakarta/") || entry.startsWith("org/osgi/") || entry.startsWith("org/slf4j/")) {
        leaked.add(entry);
      }
    }
    assertEquals(List.of(), leaked, "classes the products supply were packaged");
    assertTrue(entries.stream().allMatch(e -> !e.endsWith(".class") || e.startsWith("io/seatwarden/")));
  }

  /**
   * The jar's servlet API is its platform's, mandatory, and the other platform's is not imported
   * at all, so neither jar can resolve in the other platform's products. No lower bound: Jira
   * exports the servlet packages at 2.5 whatever its container runs, so the range bnd would derive
   * from the servlet API jar ([4.0,5) or [6.0,7)) would keep the jar out of Jira
   * (docs/atlassian-api.md, "Import-Package versions").
   */
  @Test
  void servletApiIsThePlatformsOwnOnly() {
    Platform platform = Platform.current();
    for (String pkg : List.of(platform.servlet, platform.servlet + ".http")) {
      assertTrue(imports.containsKey(pkg), pkg + " is not imported: " + imports.keySet());
      String attributes = imports.get(pkg).replace("\"", "");
      assertTrue(
          attributes.contains("version=0") && !attributes.contains("["),
          pkg + " must be imported without a lower bound: " + imports.get(pkg));
      assertFalse(imports.get(pkg).contains("optional"), pkg + " must be mandatory");
    }
    for (String pkg : imports.keySet()) {
      assertFalse(pkg.startsWith(platform.otherServlet), "imports the other platform's " + pkg);
    }
  }

  /**
   * Every import has a next-major range or a named, reasoned exception for this platform, and no
   * exception outlives its import (ImportVersions; docs/atlassian-api.md, "Import-Package
   * versions").
   */
  @Test
  void everyImportHasAMajorRangeOrANamedException() {
    assertEquals(List.of(), ImportVersions.problems(imports, Platform.current()));
  }

  /** The import check rejects what it must: a wide range, a bare version, an unknown family. */
  @Test
  void theImportVersionCheckCatchesWhatItMust() {
    Platform platform = Platform.current();
    Map<String, String> good = new LinkedHashMap<>(imports);
    good.put("org.example.ranged", "version=\"[2.1,3)\"");
    assertEquals(List.of(), ImportVersions.problems(good, platform));
    for (String bad :
        List.of(
            "org.example.ranged;version=\"[2.1,4)\"",
            "org.example.ranged;version=\"[2.1,2.5)\"",
            "org.example.unknown;version=\"2.1\"",
            "org.example.unknown",
            platform.otherServlet + ";version=\"0\"")) {
      Map<String, String> one = new LinkedHashMap<>(imports);
      one.putAll(parseImports(bad));
      assertEquals(1, ImportVersions.problems(one, platform).size(), bad);
    }
    Map<String, String> withoutSal = new LinkedHashMap<>(imports);
    withoutSal.keySet().removeIf(p -> p.startsWith("com.atlassian.sal."));
    assertEquals(
        List.of("com.atlassian.sal: exception for a family the jar no longer imports"),
        ImportVersions.problems(withoutSal, platform));
  }

  /** Every class targets the platform's Java: 17 on Platform 7, 21 on Platform 8. */
  @Test
  void classesTargetThePlatformsJava() throws IOException {
    int expected = Platform.current().classVersion;
    int classes = 0;
    for (String entry : entries) {
      if (!entry.endsWith(".class")) {
        continue;
      }
      classes++;
      try (DataInputStream in = new DataInputStream(jar.getInputStream(jar.getJarEntry(entry)))) {
        assertEquals(0xCAFEBABE, in.readInt(), entry + " is not a class file");
        in.readUnsignedShort(); // minor
        assertEquals(expected, in.readUnsignedShort(), entry + " targets another Java release");
      }
    }
    assertTrue(classes > 50, "expected the shim's classes in the jar, found " + classes);
  }

  /** Every platform the jar must carry, with its ELF machine: a node of either kind can load. */
  static final Map<String, Integer> PLATFORMS =
      Map.of("linux-x86_64", ElfLibrary.EM_X86_64, "linux-aarch64", ElfLibrary.EM_AARCH64);

  /** The oldest glibc the libraries may need: 2.17 (RHEL/CentOS 7, manylinux2014). */
  static final int GLIBC_MAJOR = 2;

  static final int GLIBC_MINOR = 17;

  @Test
  void nativeLibrariesForBothArchitecturesNeedGlibc217AtMostAndAreStripped() throws IOException {
    for (Map.Entry<String, Integer> platform : PLATFORMS.entrySet()) {
      String name = "native/" + platform.getKey() + "/libseatwarden_jni.so";
      JarEntry lib = jar.getJarEntry(name);
      assertNotNull(lib, "native library missing: " + name);
      ElfLibrary elf;
      try (InputStream in = jar.getInputStream(lib)) {
        elf = new ElfLibrary(in.readAllBytes());
      }
      assertEquals(platform.getValue(), elf.machine, name + " is built for another architecture");
      assertTrue(
          elf.requiredVersions.stream().anyMatch(v -> v.startsWith("GLIBC_")),
          name + ": no glibc symbol versions found, the check would prove nothing: "
              + elf.requiredVersions);
      assertEquals(
          List.of(),
          ElfLibrary.glibcNewerThan(elf.requiredVersions, GLIBC_MAJOR, GLIBC_MINOR),
          name + " imports symbols of a glibc newer than 2.17");
      assertEquals(
          List.of(),
          ElfLibrary.glibcNewerThan(elf.definedVersions, GLIBC_MAJOR, GLIBC_MINOR),
          name + " exports symbols versioned for a newer glibc");
      assertFalse(elf.sections.contains(".symtab"), name + " is not stripped (.symtab)");
      assertTrue(
          elf.sections.stream().noneMatch(s -> s.startsWith(".debug")),
          name + " carries debug info: " + elf.sections);
      assertTrue(lib.getSize() < 32L * 1024 * 1024, name + " is unexpectedly large: " + lib.getSize());
    }
  }

  /** The check above can fail: a library built against this machine's newer glibc is caught. */
  @Test
  void theGlibcCheckCatchesNewerVersions() {
    assertEquals(
        List.of("GLIBC_2.34", "GLIBC_2.33", "GLIBC_PRIVATE"),
        ElfLibrary.glibcNewerThan(
            List.of("GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.34", "GLIBC_2.33", "GLIBC_PRIVATE", "GCC_3.0"),
            GLIBC_MAJOR,
            GLIBC_MINOR));
    assertEquals(List.of("GLIBC_3.0"), ElfLibrary.glibcNewerThan(List.of("GLIBC_3.0"), 2, 17));
  }

  /**
   * The aarch64 library loads: a tiny aarch64 program (zig cc, glibc 2.17) dlopens it with every
   * symbol bound now (RTLD_NOW) and looks up a JNI entry point, under qemu-aarch64 user emulation
   * over Debian's aarch64 C library (libc6-arm64-cross). scripts/setup.sh installs zig, qemu-user
   * and that library.
   */
  @Test
  void theAarch64LibraryLoadsUnderQemu() throws Exception {
    assumeTrue(
        NativeCheck.hostIsX86_64(), "the qemu check runs on x86_64 build machines (the CI)");
    Path dir = Files.createTempDirectory("seatwarden-aarch64-");
    try {
      Path lib = dir.resolve("libseatwarden_jni.so");
      try (InputStream in = jar.getInputStream(jar.getJarEntry("native/linux-aarch64/libseatwarden_jni.so"))) {
        Files.copy(in, lib);
      }
      NativeCheck.Result result =
          NativeCheck.loadUnderQemu(dir, lib, "Java_io_seatwarden_bridge_Native_version");
      assertEquals(0, result.exitCode(), "the aarch64 library did not load: " + result.output());
      assertTrue(result.output().contains("loaded"), result.output());
    } finally {
      NativeCheck.deleteTree(dir);
    }
  }

  @Test
  void uiAssetsAreWhereTheServletServesThem() throws IOException {
    // The build names the script and stylesheet after their content
    // (ui/build.mjs): app-<HASH>.js, app-<HASH>.css, named by the page.
    String page = read("ui/index.html");
    assertTrue(page.contains("name=\"decorator\" content=\"atl.admin\""));
    assertTrue(page.contains("name=\"seatwarden-api-base\""));
    for (String suffix : List.of(".js", ".css")) {
      List<String> built =
          entries.stream()
              .filter(n -> n.matches("ui/app-[A-Z0-9]{8,}\\" + suffix))
              .toList();
      assertEquals(1, built.size(), suffix + " assets: " + built);
      String asset = built.get(0);
      assertTrue(jar.getJarEntry(asset).getSize() > 0, asset + " is empty");
      String name = asset.substring("ui/".length());
      assertTrue(page.contains("./" + name), asset + " not named by the page");
    }
    assertTrue(
        entries.stream().noneMatch(n -> n.startsWith("ui/") && n.endsWith(".map")),
        "a source map is packed");
  }

  private static String read(String name) throws IOException {
    JarEntry entry = jar.getJarEntry(name);
    assertNotNull(entry, name + " missing");
    try (InputStream in = jar.getInputStream(entry)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static Document xml(String name) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (InputStream in = jar.getInputStream(jar.getJarEntry(name))) {
      return factory.newDocumentBuilder().parse(in);
    }
  }

  /** Package → its attributes, from an Import-Package header (commas inside quotes kept). */
  static Map<String, String> parseImports(String header) {
    Map<String, String> out = new LinkedHashMap<>();
    if (header == null) {
      return out;
    }
    List<String> clauses = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (char c : header.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        clauses.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    clauses.add(current.toString());
    for (String clause : clauses) {
      String trimmed = clause.trim();
      int semi = trimmed.indexOf(';');
      String pkg = semi < 0 ? trimmed : trimmed.substring(0, semi);
      out.put(pkg, semi < 0 ? "" : trimmed.substring(semi + 1));
    }
    return out;
  }
}
