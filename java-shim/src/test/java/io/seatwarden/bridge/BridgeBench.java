package io.seatwarden.bridge;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Benchmarks of the bridge from the Java side (not a test: run it by hand, see {@code
 * docs/jni.md}). Prints JSON lines like {@code seatwarden bench}:
 *
 * <ul>
 *   <li>{@code jni.ingest}: a snapshot of N synthetic users sent page by page through {@link
 *       EngineBuilder} (JSON bytes built beforehand; parse, validation and index build included);
 *   <li>{@code jni.query}: the Users-tab query of the budget (five combined filters, sort, page 3)
 *       through {@link Engine#query}, JNI and envelope included;
 *   <li>{@code java.query}: the same query written as idiomatic Java (streams over a {@code List}
 *       of user objects with {@code Set<String>} groups), for comparison, with its heap.
 * </ul>
 *
 * <p>{@code median_ms}/{@code p99_ms} are wall time; {@code cpu_median_ms} is the calling thread's
 * CPU time (the native code runs on it), which stays meaningful on a loaded machine.
 *
 * <p>Arguments: user counts (default {@code 100000 1000000}). Use the release library: {@code
 * -Dseatwarden.native.path=target/release/libseatwarden_jni.so}.
 */
public final class BridgeBench {
  private static final long NOW = 1_763_690_400_000L;
  private static final long DAY = 86_400_000L;
  private static final int PAGE = 10_000;
  private static final String[] DEPARTMENTS = {
    "engineering", "sales", "support", "finance", "marketing", "hr", "legal", "operations"
  };

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private BridgeBench() {}

  /** One user as an idiomatic Java host would hold it. */
  record User(
      String key,
      String username,
      String displayName,
      String email,
      long directory,
      boolean active,
      long created,
      long lastLogin,
      Set<String> groups) {}

  public static void main(String[] args) throws Exception {
    int[] sizes =
        args.length == 0
            ? new int[] {100_000, 1_000_000}
            : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
    LibraryInfo info = Engine.libraryInfo();
    if (info.testing()) {
      System.err.println("warning: benchmarking the testing (debug) build; see docs/jni.md");
    }
    for (int users : sizes) {
      run(users);
    }
  }

  private static void run(int users) {
    long heapBefore = usedHeap();
    List<User> population = generate(users, new Random(42));
    long javaHeap = Math.max(0, usedHeap() - heapBefore);
    byte[] begin = header();
    List<byte[]> pages = pages(population);
    long jsonBytes = pages.stream().mapToLong(p -> p.length).sum();

    int ingestRuns = users > 200_000 ? 3 : 7;
    long[] ingest = new long[ingestRuns];
    long[] ingestCpu = new long[ingestRuns];
    Engine engine = null;
    for (int r = 0; r < ingestRuns; r++) {
      if (engine != null) {
        engine.close();
      }
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      try (EngineBuilder builder = EngineBuilder.begin(begin)) {
        for (byte[] page : pages) {
          builder.addPage(page);
        }
        engine = builder.finish();
      }
      ingest[r] = System.nanoTime() - t0;
      ingestCpu[r] = THREADS.getCurrentThreadCpuTime() - c0;
    }
    report(
        "jni.ingest",
        users,
        ingest,
        ingestCpu,
        String.format(
            ",\"budget_ms\":%s,\"json_mb\":%.1f,\"engine_memory_mb\":%.1f",
            users <= 100_000 ? "150" : "1500", jsonBytes / 1e6, engine.memoryBytes() / 1e6));
    pages = null;

    byte[] request =
        ("{\"version\":1,\"now\":" + NOW + ",\"query\":{"
                + "\"includeGroups\":[\"jira-software-users\",\"confluence-users\"],"
                + "\"excludeGroups\":[\"contractors\"],\"directories\":[1],\"status\":\"active\","
                + "\"activity\":{\"kind\":\"notWithin\",\"days\":90},"
                + "\"sort\":\"lastLogin\",\"order\":\"asc\",\"pageSize\":50,\"page\":3}}")
            .getBytes(StandardCharsets.UTF_8);
    long[][] jni = time(200, engine, request);
    long total = (Long) Json.parseObject(engine.query(request)).get("total");
    report("jni.query", users, jni[0], jni[1], ",\"budget_ms\":" + (users <= 100_000 ? "1" : "5") + ",\"total\":" + total);
    engine.close();

    long[] java = new long[users > 200_000 ? 10 : 30];
    long[] javaCpu = new long[java.length];
    List<User> page = List.of();
    for (int r = 0; r < java.length; r++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      page = javaQuery(population, NOW);
      java[r] = System.nanoTime() - t0;
      javaCpu[r] = THREADS.getCurrentThreadCpuTime() - c0;
    }
    report(
        "java.query",
        users,
        java,
        javaCpu,
        String.format(
            ",\"total\":%d,\"first_key\":\"%s\",\"heap_mb\":%.1f",
            javaTotal(population, NOW),
            page.isEmpty() ? "" : page.get(0).key(),
            javaHeap / 1e6));
  }

  /** How many users {@link #javaQuery} matches, to compare with the engine's total. */
  static long javaTotal(List<User> users, long now) {
    long cutoff = now - 90 * DAY;
    return users.stream()
        .filter(
            u ->
                u.groups().contains("jira-software-users")
                    || u.groups().contains("confluence-users"))
        .filter(u -> !u.groups().contains("contractors"))
        .filter(u -> u.directory() == 1)
        .filter(User::active)
        .filter(u -> u.lastLogin() < 0 || u.lastLogin() < cutoff)
        .count();
  }

  /** The same query as {@code jni.query}, as a Java developer would write it; returns page 3. */
  static List<User> javaQuery(List<User> users, long now) {
    long cutoff = now - 90 * DAY;
    List<User> matching =
        users.stream()
            .filter(
                u ->
                    u.groups().contains("jira-software-users")
                        || u.groups().contains("confluence-users"))
            .filter(u -> !u.groups().contains("contractors"))
            .filter(u -> u.directory() == 1)
            .filter(User::active)
            .filter(u -> u.lastLogin() < 0 || u.lastLogin() < cutoff)
            .sorted(
                Comparator.comparingLong((User u) -> u.lastLogin() < 0 ? Long.MIN_VALUE : u.lastLogin())
                    .thenComparing(u -> u.username().toLowerCase(java.util.Locale.ROOT)))
            .collect(Collectors.toList());
    return matching.subList(Math.min(100, matching.size()), Math.min(150, matching.size()));
  }

  private static long[][] time(int runs, Engine engine, byte[] request) {
    for (int i = 0; i < 20; i++) {
      engine.query(request);
    }
    long[][] out = new long[2][runs];
    for (int r = 0; r < runs; r++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      engine.query(request);
      out[0][r] = System.nanoTime() - t0;
      out[1][r] = THREADS.getCurrentThreadCpuTime() - c0;
    }
    return out;
  }

  private static void report(String name, int users, long[] nanos, long[] cpu, String extra) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    long[] cpuSorted = cpu.clone();
    Arrays.sort(cpuSorted);
    double median = sorted[sorted.length / 2] / 1e6;
    double p99 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)] / 1e6;
    System.out.printf(
        "{\"name\":\"%s\",\"users\":%d,\"runs\":%d,\"median_ms\":%.3f,\"p99_ms\":%.3f,"
            + "\"cpu_median_ms\":%.3f%s}%n",
        name, users, nanos.length, median, p99, cpuSorted[cpuSorted.length / 2] / 1e6, extra);
  }

  private static long usedHeap() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static List<User> generate(int n, Random random) {
    List<User> users = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String dept = DEPARTMENTS[random.nextInt(DEPARTMENTS.length)];
      Set<String> groups = new java.util.HashSet<>();
      groups.add(dept);
      if (random.nextInt(100) < 85) {
        groups.add("jira-software-users");
      }
      if (random.nextInt(100) < 60) {
        groups.add("confluence-users");
      }
      if (random.nextInt(100) < 10) {
        groups.add("contractors");
      }
      long created = NOW - (30 + random.nextInt(3000)) * DAY;
      long lastLogin =
          random.nextInt(100) < 4
              ? -1
              : Math.max(created, NOW - (long) (Math.pow(random.nextDouble(), 3) * 900 * DAY));
      users.add(
          new User(
              String.format("JIRAUSER%07d", i),
              String.format("user%07d", i),
              "User " + i,
              String.format("user%07d@example.invalid", i),
              random.nextInt(100) < 80 ? 1 : 2,
              random.nextInt(100) < 92,
              created,
              lastLogin,
              groups));
    }
    return users;
  }

  private static byte[] header() {
    StringBuilder groups = new StringBuilder();
    for (String d : DEPARTMENTS) {
      groups.append("{\"name\":\"").append(d).append("\"},");
    }
    groups.append("{\"name\":\"contractors\"},")
        .append("{\"name\":\"jira-software-users\",\"licence\":true},")
        .append("{\"name\":\"confluence-users\",\"licence\":true}");
    return ("{\"version\":1,\"header\":{\"takenAt\":" + NOW + ",\"directories\":["
            + "{\"id\":1,\"name\":\"Internal\",\"kind\":\"internal\",\"capabilities\":{\"updateUser\":true}},"
            + "{\"id\":2,\"name\":\"LDAP\",\"kind\":\"ldap\",\"capabilities\":{}}],"
            + "\"groups\":[" + groups + "]}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static List<byte[]> pages(List<User> users) {
    List<byte[]> pages = new ArrayList<>();
    StringBuilder page = new StringBuilder(PAGE * 256);
    for (int i = 0; i < users.size(); i += PAGE) {
      page.setLength(0);
      page.append("{\"users\":[");
      for (int j = i; j < Math.min(users.size(), i + PAGE); j++) {
        User u = users.get(j);
        if (j > i) {
          page.append(',');
        }
        page.append("{\"key\":\"").append(u.key())
            .append("\",\"username\":\"").append(u.username())
            .append("\",\"displayName\":\"").append(u.displayName())
            .append("\",\"email\":\"").append(u.email())
            .append("\",\"directoryId\":").append(u.directory())
            .append(",\"active\":").append(u.active())
            .append(",\"created\":").append(u.created())
            .append(",\"lastLogin\":").append(u.lastLogin() < 0 ? "null" : Long.toString(u.lastLogin()))
            .append(",\"groups\":[");
        String sep = "";
        for (String g : u.groups()) {
          page.append(sep).append('"').append(g).append('"');
          sep = ",";
        }
        page.append("]}");
      }
      page.append("]}");
      pages.add(page.toString().getBytes(StandardCharsets.UTF_8));
    }
    return pages;
  }
}
