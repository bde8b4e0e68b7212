package io.seatwarden.bridge;

import java.util.Map;

/**
 * The kinds of error the native library reports, one exception class each.
 *
 * <p>All but {@link #BRIDGE} arrive as the {@code kind} of a failure envelope; {@link #BRIDGE} is
 * raised when the boundary itself fails (JNI, loading, a malformed response).
 */
public enum ErrorKind {
  /** The request is malformed or inconsistent; see {@link BadRequestException}. */
  BAD_REQUEST("bad_request"),
  /** The request's version is not one the library speaks; see {@link UnsupportedVersionException}. */
  UNSUPPORTED_VERSION("unsupported_version"),
  /** The request refers to something that does not exist; see {@link NotFoundException}. */
  NOT_FOUND("not_found"),
  /** The request conflicts with the current state; see {@link ConflictException}. */
  CONFLICT("conflict"),
  /** The engine was closed; see {@link EngineClosedException}. */
  CLOSED("closed"),
  /** The host or its database did not answer; see {@link UnavailableException}. */
  UNAVAILABLE("unavailable"),
  /** A bug in the native library; see {@link InternalException}. */
  INTERNAL("internal"),
  /** The boundary itself failed; see {@link BridgeException}. */
  BRIDGE("bridge");

  private final String wireName;

  ErrorKind(String wireName) {
    this.wireName = wireName;
  }

  /** The name the envelope uses, e.g. {@code bad_request}. */
  public String wireName() {
    return wireName;
  }

  /** The kind with this wire name, or {@code null} if there is none. */
  public static ErrorKind fromWireName(String name) {
    for (ErrorKind kind : values()) {
      if (kind.wireName.equals(name)) {
        return kind;
      }
    }
    return null;
  }

  /** The exception of this kind. */
  SeatwardenException exception(String message, Map<String, Object> details) {
    return switch (this) {
      case BAD_REQUEST -> new BadRequestException(message, details);
      case UNSUPPORTED_VERSION -> new UnsupportedVersionException(message, details);
      case NOT_FOUND -> new NotFoundException(message, details);
      case CONFLICT -> new ConflictException(message, details);
      case CLOSED -> new EngineClosedException(message, details);
      case UNAVAILABLE -> new UnavailableException(message, details);
      case INTERNAL -> new InternalException(message, details);
      case BRIDGE -> new BridgeException(message, details);
    };
  }
}
