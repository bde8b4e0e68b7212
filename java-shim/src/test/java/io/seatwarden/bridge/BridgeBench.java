package io.seatwarden.bridge;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
 *       of user objects with {@code Set<String>} groups), for comparison, with its heap;
 *   <li>{@code svc.encode}: the Java half of {@code svc.ingest} alone: every page encoded by
 *       {@link HostBridge}'s {@code usersJson} and handed back, no native code;
 *   <li>{@code svc.ingest}: the service ({@link NativeSeatwarden}) reading the whole directory
 *       from a Java {@link Host} through upcalls, 10,000 users a page (encoding in Java by {@link
 *       HostBridge}'s {@code usersJson}, the page bytes streamed into the index in Rust), triggered
 *       by the first login;
 *   <li>{@code svc.login}: the login hook round trip from Java ({@link Seatwarden#onLogin}) with a
 *       login policy that evaluates but does not fire (no host writes), p50/p99 in microseconds;
 *   <li>{@code svc.export.whole} and {@code svc.export.streamed}: the users export of the whole
 *       directory through {@link Seatwarden#handle} (the file crosses JNI in the envelope) and
 *       through {@link Seatwarden#handleStreamed} (raw 64 KiB chunks to a sink that counts them,
 *       as a servlet's output stream would take them): wall time, MB/s, first byte, the bytes
 *       the calling thread allocated and the heap's peak above its level before the export.
 * </ul>
 *
 * <p>{@code median_ms}/{@code p99_ms} are wall time; {@code cpu_median_ms} is the calling thread's
 * CPU time (the native code runs on it), which stays meaningful on a loaded machine.
 *
 * <p>Arguments: user counts (default {@code 100000 1000000}). {@code -Dbench.onlyService=true}
 * runs only {@code svc.*}; {@code -Dbench.serviceRuns=N} sets the number of {@code svc.encode} and {@code svc.ingest} runs. Use the release library: {@code
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
  private static final com.sun.management.ThreadMXBean ALLOC =
      (com.sun.management.ThreadMXBean) THREADS;

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
    boolean service = !Boolean.getBoolean("bench.noService");
    boolean onlyService = Boolean.getBoolean("bench.onlyService");
    for (int users : sizes) {
      if (!onlyService) {
        run(users);
      }
      if (service) {
        runService(users);
      }
    }
  }

  /** A host serving pages of a prebuilt list (what a product adapter does with its user pager). */
  static final class ListHost implements Host {
    private final DirectoryHeader header;
    private final List<DirectoryUser> users;

    ListHost(DirectoryHeader header, List<DirectoryUser> users) {
      this.header = header;
      this.users = users;
    }

    @Override
    public DirectoryHeader header() {
      return header;
    }

    @Override
    public UsersPage users(String cursor, int limit) {
      int from = cursor == null ? 0 : Integer.parseInt(cursor);
      int to = Math.min(users.size(), from + limit);
      return new UsersPage(users.subList(from, to), to < users.size() ? Integer.toString(to) : null);
    }

    @Override
    public java.util.Optional<DirectoryUser> user(String key) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<DirectoryUser> userByUsername(String username) {
      return java.util.Optional.empty();
    }

    @Override
    public OperationResult apply(Operation operation) {
      return OperationResult.failed(OperationResult.FailureKind.PERMISSION_DENIED);
    }
  }

  private static void runService(int users) {
    List<User> population = generate(users, new Random(42));
    List<DirectoryHeader.Group> groups = new ArrayList<>();
    for (String d : DEPARTMENTS) {
      groups.add(new DirectoryHeader.Group(d, false, false));
    }
    groups.add(new DirectoryHeader.Group("contractors", false, false));
    groups.add(new DirectoryHeader.Group("jira-software-users", false, true));
    groups.add(new DirectoryHeader.Group("confluence-users", false, true));
    DirectoryHeader header =
        new DirectoryHeader(
            NOW,
            List.of(
                new DirectoryHeader.Directory(
                    1, "Internal", DirectoryHeader.DirectoryKind.INTERNAL,
                    new DirectoryHeader.Capabilities(true, true, true, true, true), List.of()),
                new DirectoryHeader.Directory(
                    2, "LDAP", DirectoryHeader.DirectoryKind.LDAP,
                    new DirectoryHeader.Capabilities(false, false, false, false, false), List.of())),
            groups,
            List.of(),
            List.of());
    List<DirectoryUser> directory = new ArrayList<>(users);
    for (User u : population) {
      directory.add(
          new DirectoryUser(
              u.key(), u.username(), u.displayName(), u.email(), u.directory(), u.active(),
              u.created(), u.lastLogin() < 0 ? null : u.lastLogin(), null,
              u.active() ? null : u.created(), List.copyOf(u.groups())));
    }
    population = null;
    ListHost host = new ListHost(header, directory);

    int runs = Integer.getInteger("bench.serviceRuns", users > 200_000 ? 3 : 5);
    encode(host, users, runs);
    long[] ingest = new long[runs];
    long[] ingestCpu = new long[runs];
    NativeSeatwarden app = null;
    // r = -1 warms the JIT up (the host's encoder is Java) and is not counted.
    for (int r = -1; r < runs; r++) {
      if (app != null) {
        app.close();
      }
      app =
          NativeSeatwarden.builder()
              .host(host)
              .store(new io.seatwarden.bridge.testing.InMemoryRecordStore())
              .nodeId("bench")
              .pageSize(PAGE)
              .clock(() -> NOW)
              .open();
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      app.onLogin("user0000000", NOW); // the first call reads the directory
      if (r >= 0) {
        ingest[r] = System.nanoTime() - t0;
        ingestCpu[r] = THREADS.getCurrentThreadCpuTime() - c0;
      }
    }
    report(
        "svc.ingest",
        users,
        ingest,
        ingestCpu,
        ",\"budget_ms\":" + (users <= 100_000 ? "50" : "500") + ",\"page\":" + PAGE);

    ServiceFixtures.Answer created =
        ServiceFixtures.createPolicy(
            app, "{\"name\":\"Back\",\"mode\":\"live\",\"action\":{\"kind\":\"reactivate\"}}");
    if (created.status() != 201) {
      throw new IllegalStateException("policy not created: " + created.status());
    }
    // Active users only: the reactivation policy is evaluated and does not fire.
    List<String> active = new ArrayList<>();
    for (int i = 0; i < directory.size() && active.size() < 10_000; i += 7) {
      if (directory.get(i).active()) {
        active.add(directory.get(i).username());
      }
    }
    // The JSON path first (the one before the fast path), then the fast path, on the same service.
    NativeSeatwarden service = app;
    login("svc.login.json", users, active, who -> service.onLoginJson(who, NOW));
    login("svc.login", users, active, who -> service.onLogin(who, NOW));
    export(app, users);
    app.close();
  }

  /** One login row: p50/p99 of {@code onLogin} over active users, after a long warm-up. */
  private static void login(
      String name, int users, List<String> active, java.util.function.Function<String, LoginOutcome> call) {
    int logins = 50_000;
    // Warm-up long enough for the JIT's second tier to compile the whole call path (the codec, the
    // bridge, the caller's loop): with 20,000 the first size's p99 still caught compilations.
    for (int i = 0; i < 200_000; i++) {
      call.apply(active.get(i % active.size()));
    }
    long[] lat = new long[logins];
    long[] cpu = new long[logins];
    for (int i = 0; i < logins; i++) {
      String who = active.get(i % active.size());
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      LoginOutcome outcome = call.apply(who);
      lat[i] = System.nanoTime() - t0;
      cpu[i] = THREADS.getCurrentThreadCpuTime() - c0;
      if (!outcome.applied().isEmpty()) {
        throw new IllegalStateException("a benchmark login wrote to the host");
      }
    }
    long[] sorted = lat.clone();
    Arrays.sort(sorted);
    long[] cpuSorted = cpu.clone();
    Arrays.sort(cpuSorted);
    System.out.printf(
        "{\"name\":\"%s\",\"users\":%d,\"runs\":%d,\"p50_us\":%.2f,\"p99_us\":%.2f,"
            + "\"cpu_p50_us\":%.2f,\"cpu_p99_us\":%.2f,\"budget_p99_us\":5,\"gc\":\"%s\"}%n",
        name,
        users,
        logins,
        sorted[logins / 2] / 1e3,
        sorted[(int) (logins * 0.99)] / 1e3,
        cpuSorted[logins / 2] / 1e3,
        cpuSorted[(int) (logins * 0.99)] / 1e3,
        gcName());
  }

  /** A sink that takes the bytes as a socket would, keeping nothing. */
  private static final class CountingSink implements ResponseSink {
    long bytes;
    long firstByteNanos = -1;
    private final long started;

    CountingSink(long started) {
      this.started = started;
    }

    @Override
    public void head(int status, String contentType, List<ApiResponse.Header> headers) {
      if (status != 200) {
        throw new IllegalStateException("export answered " + status);
      }
    }

    @Override
    public void write(byte[] b, int offset, int length) {
      if (firstByteNanos < 0) {
        firstByteNanos = System.nanoTime() - started;
      }
      bytes += length;
    }
  }

  /**
   * {@code svc.export.*}: the users export, whole (the file inside the JNI envelope, then a Java
   * {@code byte[]}) and streamed; the heap's peak above its level before each run (every heap
   * pool's peak reset after a full collection) and the bytes the thread allocated.
   */
  private static void export(NativeSeatwarden app, int users) {
    ApiRequest request =
        new ApiRequest(
            "GET", "/api/users/export", List.of(), new byte[0],
            new ApiRequest.Context("bench-admin", true, "127.0.0.1", true, true));
    int runs = Integer.getInteger("bench.exportRuns", 3);
    for (boolean streamed : new boolean[] {false, true}) {
      long[] wall = new long[runs];
      long[] cpu = new long[runs];
      long[] first = new long[runs];
      double peakMb = 0;
      double allocMb = 0;
      long bytes = 0;
      // r = -1 warms up and is not counted.
      for (int r = -1; r < runs; r++) {
        long baseline = usedHeap();
        for (java.lang.management.MemoryPoolMXBean pool :
            ManagementFactory.getMemoryPoolMXBeans()) {
          if (pool.getType() == java.lang.management.MemoryType.HEAP) {
            pool.resetPeakUsage();
          }
        }
        long a0 = ALLOC.getCurrentThreadAllocatedBytes();
        long c0 = THREADS.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long firstByte;
        if (streamed) {
          CountingSink sink = new CountingSink(t0);
          try {
            if (app.handleStreamed(request, sink).isPresent()) {
              throw new IllegalStateException("the export did not stream");
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          bytes = sink.bytes;
          firstByte = sink.firstByteNanos;
        } else {
          ApiResponse whole = app.handle(request);
          bytes = whole.body().length;
          firstByte = System.nanoTime() - t0; // the first byte can leave once the whole file is here
        }
        long elapsed = System.nanoTime() - t0;
        long spent = THREADS.getCurrentThreadCpuTime() - c0;
        long allocated = ALLOC.getCurrentThreadAllocatedBytes() - a0;
        long peak = 0;
        for (java.lang.management.MemoryPoolMXBean pool :
            ManagementFactory.getMemoryPoolMXBeans()) {
          if (pool.getType() == java.lang.management.MemoryType.HEAP) {
            peak += pool.getPeakUsage().getUsed();
          }
        }
        if (r >= 0) {
          wall[r] = elapsed;
          cpu[r] = spent;
          first[r] = firstByte;
          peakMb = Math.max(peakMb, Math.max(0, peak - baseline) / 1e6);
          allocMb = Math.max(allocMb, allocated / 1e6);
        }
      }
      long[] sorted = wall.clone();
      Arrays.sort(sorted);
      long[] firstSorted = first.clone();
      Arrays.sort(firstSorted);
      report(
          streamed ? "svc.export.streamed" : "svc.export.whole",
          users,
          wall,
          cpu,
          String.format(
              ",\"csv_mb\":%.1f,\"mb_per_s\":%.0f,\"first_byte_ms\":%.2f,\"alloc_mb\":%.1f,"
                  + "\"heap_peak_above_baseline_mb\":%.1f,\"budget_heap_mb\":64,"
                  + "\"gc\":\"%s\"",
              bytes / 1e6,
              bytes / 1e6 / (sorted[runs / 2] / 1e9),
              firstSorted[runs / 2] / 1e6,
              allocMb,
              peakMb,
              gcName()));
    }
  }

  /** The collectors this JVM runs (G1 is Jira's default). */
  static String gcName() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(java.lang.management.GarbageCollectorMXBean::getName)
        .collect(Collectors.joining("+"));
  }

  /**
   * {@code svc.encode}: the Java half of {@code svc.ingest} alone, every page of the directory
   * encoded by {@link HostBridge}'s {@code usersJson} (request parsed, page encoded, answer handed
   * out), as the native side asks for it; no native code runs.
   */
  private static void encode(Host host, int users, int runs) {
    HostBridge bridge = new HostBridge(host);
    long[] wall = new long[runs];
    long[] cpu = new long[runs];
    long bytes = 0;
    // r < 0 warm the JIT up and are not counted.
    for (int r = -3; r < runs; r++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      bytes = 0;
      String cursor = null;
      do {
        byte[] answer =
            bridge.call(
                ("{\"method\":\"usersJson\",\"cursor\":"
                        + (cursor == null ? "null" : "\"" + cursor + "\"")
                        + ",\"limit\":" + PAGE + "}")
                    .getBytes(StandardCharsets.UTF_8));
        Map<String, Object> result = pageEnvelope(answer);
        bytes += (Long) result.get("length");
        cursor = (String) result.get("next");
        bridge.pageRead(answer); // as the native side does once it has read the page
      } while (cursor != null);
      if (r >= 0) {
        wall[r] = System.nanoTime() - t0;
        cpu[r] = THREADS.getCurrentThreadCpuTime() - c0;
      }
    }
    report("svc.encode", users, wall, cpu, String.format(",\"json_mb\":%.1f", bytes / 1e6));
  }

  /** The result of a {@code usersJson} answer's envelope (which ends at the first newline). */
  private static Map<String, Object> pageEnvelope(byte[] answer) {
    int newline = 0;
    while (answer[newline] != '\n') {
      newline++;
    }
    return Codec.object(Json.parseObject(Arrays.copyOf(answer, newline)).get("result"), "result");
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
            users <= 100_000 ? "30" : "300", jsonBytes / 1e6, engine.memoryBytes() / 1e6));
    javaIngest(users, pages);
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

  /**
   * {@code java.ingest}: the baseline of {@code jni.ingest}: the same JSON pages read the way a
   * Java host would without the engine, parsed (the shim's own JSON reader, no reflection) into a
   * {@code List} of user records with {@code Set<String>} groups.
   */
  private static void javaIngest(int users, List<byte[]> pages) {
    int runs = users > 200_000 ? 3 : 7;
    long[] wall = new long[runs];
    long[] cpu = new long[runs];
    int read = 0;
    for (int r = -1; r < runs; r++) {
      long c0 = THREADS.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      List<User> out = new ArrayList<>(users);
      for (byte[] page : pages) {
        for (Object item : (List<?>) Json.parseObject(page).get("users")) {
          @SuppressWarnings("unchecked")
          Map<String, Object> u = (Map<String, Object>) item;
          Object lastLogin = u.get("lastLogin");
          Set<String> groups = new java.util.HashSet<>();
          for (Object g : (List<?>) u.get("groups")) {
            groups.add((String) g);
          }
          out.add(
              new User(
                  (String) u.get("key"), (String) u.get("username"), (String) u.get("displayName"),
                  (String) u.get("email"), (Long) u.get("directoryId"), (Boolean) u.get("active"),
                  (Long) u.get("created"), lastLogin == null ? -1 : (Long) lastLogin, groups));
        }
      }
      read = out.size();
      if (r >= 0) {
        wall[r] = System.nanoTime() - t0;
        cpu[r] = THREADS.getCurrentThreadCpuTime() - c0;
      }
    }
    report("java.ingest", users, wall, cpu, ",\"users_read\":" + read);
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
