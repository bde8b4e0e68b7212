package io.seatwarden.plugin;

import io.seatwarden.bridge.HostUnavailableException;
import io.seatwarden.bridge.RecordStore;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The user key of the account automation acts as, read from the saved configuration document (the
 * {@code config} row, field {@code automationAccount}), so a change an admin saves on any node
 * applies everywhere within {@link #TTL_MILLIS}.
 *
 * <p>The engine owns the document; this reads only that one field, and tolerates the document
 * being stored as JSON or as a JSON string inside a wrapper (one more level of escaping). It
 * reads the store directly rather than asking the engine, because the acting user is needed
 * inside engine calls (host upcalls), where calling the engine again would re-enter it.
 */
public final class AutomationAccount implements Supplier<String> {

  /** How long a read value is reused. */
  static final long TTL_MILLIS = 10_000;

  private static final Pattern PLAIN =
      Pattern.compile("\"automationAccount\"\\s*:\\s*(null|\"((?:[^\"\\\\]|\\\\.)*)\")");
  private final RecordStore store;
  private final LongSupplier clock;
  private String cached;
  private long readAt = Long.MIN_VALUE;

  /** Reads through {@code store}. */
  public AutomationAccount(RecordStore store, LongSupplier clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The configured key, or null when none is configured or the store cannot be read. */
  @Override
  public synchronized String get() {
    long now = clock.getAsLong();
    if (readAt != Long.MIN_VALUE && now - readAt < TTL_MILLIS) {
      return cached;
    }
    try {
      cached = store.get("config", "config").map(row -> parse(row.body())).orElse(null);
    } catch (HostUnavailableException e) {
      cached = null;
    }
    readAt = now;
    return cached;
  }

  /** The {@code automationAccount} of a configuration document, or null. */
  static String parse(String document) {
    if (document == null) {
      return null;
    }
    Matcher plain = PLAIN.matcher(document);
    if (plain.find()) {
      return plain.group(2) == null ? null : unescape(plain.group(2));
    }
    if (document.contains("\\\"automationAccount\\\"")) {
      // The document is a JSON string inside a wrapper: undo that one level of escaping.
      return parse(unescape(document));
    }
    return null;
  }

  private static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        char next = text.charAt(++i);
        switch (next) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'r' -> out.append('\r');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'u' -> {
            if (i + 4 < text.length()) {
              out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
              i += 4;
            }
          }
          default -> out.append(next);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
