package io.seatwarden.bridge;

import java.util.Map;

/**
 * What the loaded native library says about itself.
 *
 * @param bridgeVersion the bridge protocol version; equals {@link NativeLoader#BRIDGE_VERSION}
 * @param libraryVersion the crate version it was built from
 * @param snapshotVersion the snapshot schema version it reads
 * @param testing whether it was built with the test-only entry points (never in a shipped jar)
 */
public record LibraryInfo(
    int bridgeVersion, String libraryVersion, int snapshotVersion, boolean testing) {

  static LibraryInfo from(Map<String, Object> json) {
    return new LibraryInfo(
        intField(json, "bridgeVersion"),
        json.get("libraryVersion") instanceof String ? (String) json.get("libraryVersion") : "",
        intField(json, "snapshotVersion"),
        Boolean.TRUE.equals(json.get("testing")));
  }

  static int intField(Map<String, Object> json, String name) {
    Object value = json.get(name);
    if (!(value instanceof Long)) {
      throw new BridgeException("malformed response from the native library: no `" + name + "`");
    }
    return Math.toIntExact((Long) value);
  }
}
