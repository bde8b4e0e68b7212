package io.seatwarden.bridge;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The object the native library calls back for the {@link Host} port: one {@code byte[]
 * call(byte[])} method, so the JNI surface stays one method whatever the port grows.
 *
 * <p>Requests are {@code {"method":"header"|"users"|"usersJson"|"user"|"userByUsername"|"apply",
 * ...}}; the answer is {@code {"ok":true,"result":...}} with the snapshot shapes of {@code
 * docs/snapshot.md},
 * or {@code {"ok":false,"error":{"kind":"unavailable","message":...}}} for a {@link
 * HostUnavailableException}, or {@code {"kind":"internal","type":<class>}} for any other runtime
 * exception (its message is not passed on: it may quote personal data). Nothing is thrown back
 * into the native code, so no exception is ever left pending there.
 *
 * <p>{@code usersJson} is the index build's page read: the answer is the envelope {@code
 * {"ok":true,"result":{"next":...,"length":n}}}, a newline, then the page exactly as in a snapshot
 * file, {@code {"users":[...]}}, which the native side streams into its index without decoding
 * users. Pages are encoded into a buffer the bridge keeps and reuses page after page (held by the
 * bridge, not a {@code ThreadLocal}, so nothing of the plugin outlives it on the product's
 * threads). The answer is that buffer itself, not a copy: only its first {@code length} bytes are
 * the answer (the number is written last, into spaces left for it), and the buffer is lent until
 * the native side calls {@link #pageRead} with it.
 *
 * <p>Rust calls this on the thread that called into the library, never on a thread of its own.
 */
final class HostBridge {
  /** A page buffer larger than this is not kept for the next page (a 10,000-user page is ~2.5 MB). */
  private static final int KEEP_BUFFER_BYTES = 16 << 20;

  /** {@code usersJson}'s answer up to its cursor, and what follows the cursor. */
  private static final byte[] PAGE_ENVELOPE =
      "{\"ok\":true,\"result\":{\"next\":".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] PAGE_LENGTH = ",\"length\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PAGE_ENVELOPE_END = "}}\n".getBytes(StandardCharsets.US_ASCII);

  /** Room for any array length (at most 2^31 - 1: ten digits). */
  private static final int LENGTH_DIGITS = 10;

  private final Host host;

  /** The idle page buffer; a second concurrent page read gets a fresh one. */
  private final AtomicReference<JsonWriter> pageBuffer = new AtomicReference<>();

  /**
   * The idle cache of encoded group names (a page names a few groups thousands of times); kept
   * apart from the buffer because the buffer is lent to the native side and the cache is not.
   */
  private final AtomicReference<JsonWriter.Names> groupNames = new AtomicReference<>();

  HostBridge(Host host) {
    this.host = Objects.requireNonNull(host, "host");
  }

  /** Called by the native library (through JNI). */
  byte[] call(byte[] request) {
    JsonWriter w = new JsonWriter(1024);
    try {
      Map<String, Object> req = Json.parseObject(request);
      String method = Codec.string(req, "method");
      w.raw("{\"ok\":true,\"result\":");
      switch (method) {
        case "header" -> Codec.header(w, Objects.requireNonNull(host.header(), "header"));
        case "users" -> {
          Long limit = Codec.optionalLong(req, "limit");
          UsersPage page =
              host.users(
                  Codec.optionalString(req, "cursor"),
                  limit == null ? 1000 : (int) Math.min(Integer.MAX_VALUE, limit));
          w = new JsonWriter(256 + 200 * Objects.requireNonNull(page, "page").users().size());
          w.raw("{\"ok\":true,\"result\":");
          Codec.usersPage(w, page);
        }
        case "usersJson" -> {
          return usersJson(req);
        }
        case "user" -> user(w, host.user(Codec.string(req, "key")));
        case "userByUsername" -> user(w, host.userByUsername(Codec.string(req, "username")));
        case "apply" -> applied(w, host.apply(Codec.operation(req.get("operation"))));
        default -> throw Codec.malformed("unknown host method `" + method + "`");
      }
      return w.endObject().toBytes();
    } catch (HostUnavailableException e) {
      return unavailable(e);
    } catch (RuntimeException e) {
      return internal(e);
    }
  }

  private byte[] usersJson(Map<String, Object> req) {
    Long limit = Codec.optionalLong(req, "limit");
    UsersPage page =
        Objects.requireNonNull(
            host.users(
                Codec.optionalString(req, "cursor"),
                limit == null ? 1000 : (int) Math.min(Integer.MAX_VALUE, limit)),
            "page");
    JsonWriter idle = pageBuffer.getAndSet(null);
    JsonWriter w = idle == null ? new JsonWriter(1 << 16) : idle.reset();
    JsonWriter.Names names = groupNames.getAndSet(null);
    w.names(names == null ? new JsonWriter.Names() : names);
    try {
      w.raw(PAGE_ENVELOPE).value(page.next()).raw(PAGE_LENGTH);
      int length = w.placeholder(LENGTH_DIGITS);
      w.raw(PAGE_ENVELOPE_END);
      Codec.pageOnly(w, page);
      w.fill(length, LENGTH_DIGITS, w.length());
    } catch (RuntimeException e) {
      groupNames.set(w.takeNames());
      keep(w);
      throw e;
    }
    groupNames.set(w.takeNames());
    // Lent, not copied: the native side reads the first `length` bytes and hands the buffer back
    // through pageRead. Until then it is in no pool, so no other page read can write into it.
    return w.buffer();
  }

  /**
   * Called by the native library (through JNI) once it has read a {@code usersJson} answer: the
   * buffer may be written again. A buffer that is never given back (the read failed) is simply
   * left to the garbage collector; the next page read starts a new one.
   */
  void pageRead(byte[] answer) {
    if (answer != null) {
      keep(JsonWriter.over(answer));
    }
  }

  private void keep(JsonWriter w) {
    if (w.capacity() <= KEEP_BUFFER_BYTES) {
      pageBuffer.set(w);
    }
  }

  private static void user(JsonWriter w, Optional<DirectoryUser> user) {
    if (user == null || user.isEmpty()) {
      w.raw("null");
    } else {
      Codec.user(w, user.get());
    }
  }

  private static void applied(JsonWriter w, OperationResult result) {
    if (result instanceof OperationResult.Applied applied) {
      w.beginObject().name("createdUser").value(applied.createdUser()).endObject();
    } else if (result instanceof OperationResult.Failed failed) {
      w.beginObject().name("failure").beginObject();
      w.name("kind").value(failed.reason().name().toLowerCase(java.util.Locale.ROOT));
      w.comma().name("detail").value(failed.detail());
      w.endObject().endObject();
    } else {
      throw new NullPointerException("apply answered null");
    }
  }

  /** The answer for a {@link HostUnavailableException} (its message is documented free of personal data). */
  static byte[] unavailable(HostUnavailableException e) {
    JsonWriter w = new JsonWriter();
    w.raw("{\"ok\":false,\"error\":{\"kind\":\"unavailable\",\"message\":");
    w.value(e.getMessage() == null ? "unavailable" : e.getMessage());
    return w.raw("}}").toBytes();
  }

  /** The answer for any other exception: its class only. */
  static byte[] internal(RuntimeException e) {
    JsonWriter w = new JsonWriter();
    w.raw("{\"ok\":false,\"error\":{\"kind\":\"internal\",\"type\":");
    w.value(e.getClass().getName());
    return w.raw("}}").toBytes();
  }
}
