package io.seatwarden.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rule for the version of every Import-Package clause of a plugin jar (issue 17: "version
 * ranges on every Import-Package so the bundle cannot wire to an incompatible major"), checked by
 * {@code PluginJarIT.everyImportHasAMajorRangeOrANamedException}.
 *
 * <p>An import either carries a range {@code [x.y,X)} whose upper bound is the next major of its
 * lower bound, or belongs to a package family listed in {@link #UNRANGED} with the reason it has
 * none. The reasons are the table in docs/atlassian-api.md, "Import-Package versions": in short,
 * no source read gives the version at which Jira 10 / Confluence 9 and Jira 11 / Confluence 10
 * <em>export</em> these packages, and a range that misses the real export keeps the plugin from
 * starting at all, which is worse than the late {@code NoSuchMethodError} a range would prevent.
 * A new import family therefore fails the build until someone either cites its exported version
 * (and gives it a range) or writes down here why it has none.
 */
final class ImportVersions {

  /** One family of packages imported without a range, and why. */
  record Unranged(String family, Set<PluginJarIT.Platform> platforms, String reason) {
    boolean covers(String pkg) {
      return pkg.equals(family) || pkg.startsWith(family + ".");
    }
  }

  private static final Set<PluginJarIT.Platform> BOTH =
      Set.of(PluginJarIT.Platform.PLATFORM7, PluginJarIT.Platform.PLATFORM8);

  private static final String EXPORT_UNREAD =
      "exported version in Jira 10 / Confluence 9 / Jira 11 / Confluence 10 not read from a"
          + " product (open question 25); module versions are not export versions";

  /** The families imported without a range, each with its reason (docs/atlassian-api.md). */
  static final List<Unranged> UNRANGED =
      List.of(
          new Unranged(
              "javax.servlet",
              Set.of(PluginJarIT.Platform.PLATFORM7),
              "Jira exports the servlet API at 2.5 whatever Tomcat runs; the package itself keeps"
                  + " the platforms apart"),
          new Unranged(
              "jakarta.servlet",
              Set.of(PluginJarIT.Platform.PLATFORM8),
              "as javax.servlet: the host's ServletContext version, not the jar's, is exported"),
          new Unranged("com.atlassian.sal", BOTH, "SAL: " + EXPORT_UNREAD),
          new Unranged("com.atlassian.activeobjects", BOTH, "Active Objects: " + EXPORT_UNREAD),
          new Unranged("net.java.ao", BOTH, "Active Objects library: " + EXPORT_UNREAD),
          new Unranged("com.atlassian.scheduler", BOTH, "atlassian-scheduler: " + EXPORT_UNREAD),
          new Unranged("com.atlassian.beehive", BOTH, "beehive: " + EXPORT_UNREAD),
          new Unranged("com.atlassian.event", BOTH, "atlassian-event: " + EXPORT_UNREAD),
          new Unranged(
              "com.atlassian.plugin",
              BOTH,
              "atlassian-plugins (framework events, osgi.bridge.external): " + EXPORT_UNREAD),
          new Unranged("com.atlassian.crowd", BOTH, "embedded Crowd: " + EXPORT_UNREAD),
          new Unranged(
              "com.atlassian.jira",
              BOTH,
              "optional; exported at Jira's own version, which the jar does not pin (10.x and 11.x"
                  + " are told apart by the servlet package)"),
          new Unranged("com.atlassian.confluence", BOTH, "optional; as com.atlassian.jira"),
          new Unranged("com.atlassian.user", BOTH, "optional, Confluence only; as com.atlassian.jira"),
          new Unranged("com.atlassian.extras", BOTH, "optional, Confluence licence; export unread"),
          new Unranged("com.atlassian.application", BOTH, "optional; export version unread"),
          new Unranged("com.atlassian.query", BOTH, "optional, Jira only; export version unread"),
          new Unranged(
              "org.springframework.osgi",
              BOTH,
              "optional and unused by the bytecode (Spring DM, as Atlassian's own plugins import"
                  + " it); export version unread"),
          new Unranged(
              "org.eclipse.gemini.blueprint", BOTH, "optional and unused, as org.springframework.osgi"),
          new Unranged(
              "org.osgi.framework",
              BOTH,
              "version=\"0\": the OSGi framework version of the products' Felix was not read"),
          new Unranged(
              "org.slf4j",
              BOTH,
              "version=\"0\": the products' SLF4J export (1.7 or 2.0 line) was not read"),
          new Unranged(
              "org.apache.log4j",
              BOTH,
              "optional, Jira's log4j-1.2-api bridge; export version unread"));

  private static final Pattern MAJOR_RANGE =
      Pattern.compile("version=\"\\[(\\d+)(\\.\\d+){0,2},(\\d+)(\\.0){0,2}\\)\"");

  private ImportVersions() {}

  /**
   * The problems with the imports of one jar, empty when every import has a next-major range or
   * an exception for this platform, and every exception of this platform is still used.
   */
  static List<String> problems(Map<String, String> imports, PluginJarIT.Platform platform) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : imports.entrySet()) {
      String pkg = e.getKey();
      String attributes = e.getValue();
      if (attributes.contains("version=\"[") || attributes.contains("version=\"(")) {
        Matcher m = MAJOR_RANGE.matcher(attributes);
        if (!m.find()) {
          problems.add(pkg + ": range is not [x.y,x+1): " + attributes);
        } else if (Integer.parseInt(m.group(3)) != Integer.parseInt(m.group(1)) + 1) {
          problems.add(pkg + ": range spans more or less than one major: " + attributes);
        }
        continue;
      }
      if (UNRANGED.stream().noneMatch(u -> u.platforms().contains(platform) && u.covers(pkg))) {
        problems.add(pkg + ": no version range and no named exception in ImportVersions.UNRANGED");
      }
    }
    for (Unranged u : UNRANGED) {
      if (u.platforms().contains(platform) && imports.keySet().stream().noneMatch(u::covers)) {
        problems.add(u.family() + ": exception for a family the jar no longer imports");
      }
    }
    return problems;
  }
}
