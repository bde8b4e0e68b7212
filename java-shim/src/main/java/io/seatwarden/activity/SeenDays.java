package io.seatwarden.activity;

import java.util.Map;
import java.util.OptionalLong;

/** The stored seen days (UTC days since 1970-01-01), per user key. */
public interface SeenDays {
  /** Every user's latest seen day. */
  Map<String, Long> all();

  /** One user's latest seen day, if any. */
  OptionalLong day(String userKey);
}
