package io.seatwarden.web;

import io.seatwarden.bridge.NativeLoadException;
import java.util.Objects;

/**
 * Why the plugin's last start failed, kept so that the admin UI shows the cause instead of
 * "starting" for ever (the plugin framework still lists a plugin whose start failed as enabled).
 *
 * @param reason a stable code: a {@link NativeLoadException.Reason#code()} when the native library
 *     did not load (for example {@code glibc_too_old}), else {@code start_failed}
 * @param message what happened, for an administrator (exception messages here name files, symbol
 *     versions and services, never a person)
 * @param atMillis when, UTC milliseconds
 */
public record StartFailure(String reason, String message, long atMillis) {

  /** The code for a failure that is not a native-library load failure. */
  public static final String GENERIC = "start_failed";

  public StartFailure {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  /** The failure behind {@code error}: the native library's reason if one is in its causes. */
  public static StartFailure of(Throwable error, long atMillis) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof NativeLoadException load) {
        return new StartFailure(load.reason().code(), load.getMessage(), atMillis);
      }
    }
    String text = error.getMessage();
    String message = error.getClass().getSimpleName() + (text == null ? "" : ": " + text);
    Throwable cause = error.getCause();
    if (cause != null && cause.getMessage() != null) {
      message += " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
    }
    return new StartFailure(GENERIC, message, atMillis);
  }
}
