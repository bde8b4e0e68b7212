package io.seatwarden.bridge;

import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * {@link Seatwarden} in the native library: the service of {@code seatwarden-service} over a Java
 * {@link Host} and {@link RecordStore}, called through JNI.
 *
 * <p>Open one with {@link #builder()}. Every call runs on the caller's thread, and the library
 * calls the host and store back on that same thread (through {@link HostBridge} and {@link
 * StoreBridge}), so the product's thread-local context is in place; the library starts no thread.
 * Safe to call from many threads at once; {@link #close()} may race any call (calls running
 * finish, later ones throw {@link EngineClosedException}, the native service is released by the
 * last one out).
 *
 * <p>Errors: {@link #handle} answers every refusal of the admin API as a response (4xx); the other
 * calls throw the {@link SeatwardenException} of the failure's kind, e.g. {@link
 * UnavailableException} when the host or store did not answer.
 */
public final class NativeSeatwarden implements Seatwarden {
  private final NativeHandle handle;
  private final LongSupplier clock;
  // The library holds global references to these; keeping them here too documents the lifetime.
  private final HostBridge host;
  private final StoreBridge store;

  private NativeSeatwarden(long handle, LongSupplier clock, HostBridge host, StoreBridge store) {
    this.handle = new NativeHandle(handle, Native::serviceClose, "seatwarden service");
    this.clock = clock;
    this.host = host;
    this.store = store;
  }

  /** A builder; {@link Builder#host}, {@link Builder#store} and {@link Builder#nodeId} are required. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public ApiResponse handle(ApiRequest request) {
    Objects.requireNonNull(request, "request");
    byte[] payload = Codec.apiRequest(request, clock.getAsLong());
    return Codec.apiResponse(Envelope.unwrap(handle.call(h -> Native.serviceHandle(h, payload))));
  }

  @Override
  public Optional<ApiResponse> handleStreamed(ApiRequest request, ResponseSink sink)
      throws IOException {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(sink, "sink");
    byte[] payload = Codec.apiRequest(request, clock.getAsLong());
    StreamBridge bridge = new StreamBridge(sink, StreamBridge.CHUNK);
    Map<String, Object> result =
        Envelope.unwrapObject(
            handle.call(h -> Native.serviceStream(h, payload, bridge, bridge.buffer())));
    String outcome = Codec.string(result, "outcome");
    switch (outcome) {
      case "whole":
        return Optional.of(
            Codec.apiResponse(Codec.object(result.get("response"), "response")));
      case "sent":
        return Optional.empty();
      case "broken":
        Throwable failure = bridge.failure();
        if (failure instanceof IOException io) {
          throw io;
        }
        if (failure instanceof RuntimeException runtime) {
          throw runtime;
        }
        if (failure instanceof Error error) {
          throw error;
        }
        throw new StreamBrokenException(
            Codec.string(result, "reason"), Codec.number(result, "bytes"));
      default:
        throw Codec.malformed("unknown stream outcome `" + outcome + "`");
    }
  }

  @Override
  public ApiResponse handlePublic(PublicRequest request) {
    Objects.requireNonNull(request, "request");
    byte[] payload = Codec.publicRequest(request, clock.getAsLong());
    return Codec.apiResponse(Envelope.unwrap(handle.call(h -> Native.servicePublic(h, payload))));
  }

  @Override
  public TickReport tick(long now) {
    return Codec.tickReport(Envelope.unwrap(handle.call(h -> Native.serviceTick(h, now))));
  }

  @Override
  public LoginOutcome onLogin(String username, long now) {
    Objects.requireNonNull(username, "username");
    // The fast path: raw bytes in, and for "nothing to do" (nearly every login) a tag and the key
    // out, no JSON either way (docs/jni.md, "Login fast path").
    byte[] name = username.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return Codec.fastLoginOutcome(handle.call(h -> Native.serviceLoginFast(h, name, now)));
  }

  /** {@link #onLogin} through the JSON path ({@code serviceLogin}), to compare with the fast one. */
  LoginOutcome onLoginJson(String username, long now) {
    Objects.requireNonNull(username, "username");
    byte[] payload = Codec.loginRequest(username, now);
    return Codec.loginOutcome(Envelope.unwrap(handle.call(h -> Native.serviceLogin(h, payload))));
  }

  @Override
  public LoginOutcome loginCompleted(String username, long now) {
    Objects.requireNonNull(username, "username");
    byte[] payload = Codec.completedLoginRequest(username, now);
    return Codec.loginOutcome(Envelope.unwrap(handle.call(h -> Native.serviceLogin(h, payload))));
  }

  @Override
  public LoginCheck loginCheck(
      String username,
      LoginCheck.AccountState state,
      LoginCheck.InactiveRefusal refusal,
      long now) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(refusal, "refusal");
    byte[] payload = Codec.loginCheckRequest(username, now, state, refusal);
    Map<String, Object> m =
        Json.parseObject(Envelope.unwrap(handle.call(h -> Native.serviceLoginCheck(h, payload))));
    String verdict = Codec.string(m, "verdict");
    String user = Codec.optionalString(m, "user");
    return switch (verdict) {
      case "verify" -> {
        String name = Codec.string(m, "verification");
        LoginCheck.Verification verification = LoginCheck.Verification.fromWire(name);
        if (verification == null) {
          throw Codec.malformed("unknown verification `" + name + "`");
        }
        yield new LoginCheck(user, LoginCheck.Verdict.VERIFY, null, 0, verification);
      }
      case "not_needed" ->
          new LoginCheck(user, LoginCheck.Verdict.NOT_NEEDED, Codec.string(m, "why"), 0, null);
      case "back_off" ->
          new LoginCheck(user, LoginCheck.Verdict.BACK_OFF, null, Codec.number(m, "until"), null);
      default -> throw Codec.malformed("unknown login check verdict `" + verdict + "`");
    };
  }

  @Override
  public long loginCheckBegan(
      String username, LoginCheck.Verification verification, long now) {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(verification, "verification");
    byte[] payload =
        Codec.loginRequest(username, now, "verification", verification.wireName());
    Map<String, Object> m =
        Json.parseObject(
            Envelope.unwrap(handle.call(h -> Native.serviceLoginCheckBegan(h, payload))));
    return Codec.number(m, "check");
  }

  @Override
  public void loginCheckEnded(long check, LoginCheckOutcome outcome, long now) {
    Objects.requireNonNull(outcome, "outcome");
    JsonWriter w = new JsonWriter();
    w.beginObject().name("version").value(Codec.VERSION);
    w.comma().name("check").value(check);
    w.comma().name("outcome").value(outcome.wireName());
    w.comma().name("now").value(now);
    byte[] payload = w.endObject().toBytes();
    Envelope.unwrap(handle.call(h -> Native.serviceLoginCheckEnded(h, payload)));
  }

  @Override
  public LoginOutcome loginVerified(long check, long now) {
    JsonWriter w = new JsonWriter();
    w.beginObject().name("version").value(Codec.VERSION);
    w.comma().name("check").value(check);
    w.comma().name("now").value(now);
    byte[] payload = w.endObject().toBytes();
    return Codec.loginOutcome(
        Envelope.unwrap(handle.call(h -> Native.serviceLoginVerified(h, payload))));
  }

  @Override
  public boolean drive(long now) {
    Map<String, Object> driven =
        Json.parseObject(Envelope.unwrap(handle.call(h -> Native.serviceDrive(h, now))));
    return Boolean.TRUE.equals(driven.get("more"));
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return handle.isClosed();
  }

  @Override
  public void close() {
    handle.close();
  }

  /** The native handle, for tests. */
  long nativeHandle() {
    return handle.handle();
  }

  /** The host adapter the library calls, for tests. */
  HostBridge hostBridge() {
    return host;
  }

  /** The store adapter the library calls, for tests. */
  StoreBridge storeBridge() {
    return store;
  }

  /** Sets a service up; see {@code docs/jni.md} for the options. */
  public static final class Builder {
    private Host host;
    private RecordStore store;
    private String instanceName = "Seatwarden";
    private String baseUrl = "http://localhost";
    private String product = "jira";
    private String nodeId;
    private Integer pageSize;
    private Integer sliceSize;
    private Long leaseTtlMillis;
    private boolean demo;
    private LongSupplier clock = System::currentTimeMillis;

    private Builder() {}

    /** The product's user directory (required). */
    public Builder host(Host host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Durable rows in the product's database (required). */
    public Builder store(RecordStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** The instance's name, for mail placeholders and {@code /api/me}. */
    public Builder instanceName(String instanceName) {
      this.instanceName = Objects.requireNonNull(instanceName, "instanceName");
      return this;
    }

    /** The product's base URL, for links in mail. */
    public Builder baseUrl(String baseUrl) {
      this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
      return this;
    }

    /** {@code jira} (default), {@code confluence} or {@code standalone}. */
    public Builder product(String product) {
      this.product = Objects.requireNonNull(product, "product");
      return this;
    }

    /** This cluster node's identity for policy leases (required, unique per node). */
    public Builder nodeId(String nodeId) {
      this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
      return this;
    }

    /** Users per {@link Host#users} page when the engine reads the directory. */
    public Builder pageSize(int pageSize) {
      this.pageSize = pageSize;
      return this;
    }

    /** Actions per {@link Seatwarden#drive} slice. */
    public Builder sliceSize(int sliceSize) {
      this.sliceSize = sliceSize;
      return this;
    }

    /** How long a policy lease lasts unless renewed. */
    public Builder leaseTtlMillis(long leaseTtlMillis) {
      this.leaseTtlMillis = leaseTtlMillis;
      return this;
    }

    /** Enables the demo endpoints (never in a product). */
    public Builder demo(boolean demo) {
      this.demo = demo;
      return this;
    }

    /** The clock {@link Seatwarden#handle} reads (UTC ms); the engine reads none itself. */
    public Builder clock(LongSupplier clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The options as the library reads them. */
    byte[] options() {
      JsonWriter w = new JsonWriter();
      w.beginObject().name("version").value(Codec.VERSION);
      w.comma().name("instanceName").value(instanceName);
      w.comma().name("baseUrl").value(baseUrl);
      w.comma().name("product").value(product);
      w.comma().name("nodeId").value(nodeId);
      w.comma().name("pageSize").value(pageSize);
      w.comma().name("sliceSize").value(sliceSize);
      w.comma().name("leaseTtlMs").value(leaseTtlMillis);
      w.comma().name("demo").value(demo);
      return w.endObject().toBytes();
    }

    /**
     * Loads the library (checking its version), opens the service and reads its stored
     * configuration through the store.
     *
     * @throws BadRequestException if an option is invalid (details name the field)
     * @throws UnavailableException if the store did not answer
     */
    public NativeSeatwarden open() {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(store, "store");
      if (nodeId == null) {
        throw new BadRequestException(
            "field `nodeId`: a node id is required", Map.of("field", "nodeId"));
      }
      NativeLoader.load();
      HostBridge hostBridge = new HostBridge(host);
      StoreBridge storeBridge = new StoreBridge(store);
      Map<String, Object> opened =
          Envelope.unwrapObject(Native.serviceOpen(options(), hostBridge, storeBridge));
      Object h = opened.get("handle");
      if (!(h instanceof Long)) {
        throw new BridgeException("malformed response from the native library: no `handle`");
      }
      return new NativeSeatwarden((Long) h, clock, hostBridge, storeBridge);
    }
  }

  @Override
  public String toString() {
    return "NativeSeatwarden[handle=" + handle.handle() + (handle.isClosed() ? ", closed]" : "]");
  }
}
