package io.seatwarden.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The object the native library calls back for the {@link RecordStore} port, like {@link
 * HostBridge}: one {@code byte[] call(byte[])} method.
 *
 * <p>Requests are {@code {"method":"insert"|"get"|"getById"|"update"|"scan"|"count"|"delete",
 * "table":...,...}} with the field names of {@code seatwarden_store_records::backend} (snake
 * case: {@code expected_revision}, {@code time_from}, ...). A {@link
 * RecordStore.DuplicateKeyException} answers {@code {"kind":"duplicate_key","table","key"}}, a
 * {@link HostUnavailableException} {@code unavailable}, anything else {@code internal}.
 */
final class StoreBridge {
  private final RecordStore store;

  StoreBridge(RecordStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /** Called by the native library (through JNI). */
  byte[] call(byte[] request) {
    String table = null;
    try {
      Map<String, Object> req = Json.parseObject(request);
      String method = Codec.string(req, "method");
      table = Codec.string(req, "table");
      JsonWriter w = new JsonWriter(512);
      w.raw("{\"ok\":true,\"result\":");
      switch (method) {
        case "insert" -> {
          long[] ids = store.insert(table, newRecords(req.get("records")));
          w.beginArray();
          for (int i = 0; i < ids.length; i++) {
            if (i > 0) {
              w.comma();
            }
            w.value(ids[i]);
          }
          w.endArray();
        }
        case "get" -> record(w, store.get(table, Codec.string(req, "key")));
        case "getById" -> record(w, store.getById(table, Codec.number(req, "id")));
        case "update" -> {
          Optional<Long> revision =
              store.update(
                  table,
                  Codec.number(req, "id"),
                  Codec.number(req, "expected_revision"),
                  Codec.number(req, "time"),
                  Codec.optionalString(req, "kind"),
                  Codec.string(req, "body"));
          if (revision == null || revision.isEmpty()) {
            w.raw("null");
          } else {
            w.beginObject().name("revision").value(revision.get().longValue()).endObject();
          }
        }
        case "scan" -> {
          w.beginArray();
          String sep = "";
          for (RecordStore.StoredRecord r : store.scan(table, scan(req.get("scan")))) {
            w.raw(sep);
            sep = ",";
            record(w, r);
          }
          w.endArray();
        }
        case "count" -> w.value(store.count(table, scan(req.get("scan"))));
        case "delete" -> w.value(store.delete(table, scan(req.get("scan"))));
        default -> throw Codec.malformed("unknown store method `" + method + "`");
      }
      return w.endObject().toBytes();
    } catch (RecordStore.DuplicateKeyException e) {
      JsonWriter w = new JsonWriter();
      w.raw("{\"ok\":false,\"error\":{\"kind\":\"duplicate_key\",\"table\":").value(table);
      w.raw(",\"key\":").value(e.key());
      return w.raw("}}").toBytes();
    } catch (HostUnavailableException e) {
      return HostBridge.unavailable(e);
    } catch (RuntimeException e) {
      return HostBridge.internal(e);
    }
  }

  private static List<RecordStore.NewRecord> newRecords(Object json) {
    List<RecordStore.NewRecord> out = new ArrayList<>();
    for (Object item : Codec.list(json, "records")) {
      Map<String, Object> m = Codec.object(item, "record");
      out.add(
          new RecordStore.NewRecord(
              Codec.optionalString(m, "key"),
              Codec.optionalLong(m, "group"),
              Codec.number(m, "time"),
              Codec.optionalString(m, "kind"),
              Codec.string(m, "body")));
    }
    return out;
  }

  static RecordStore.Scan scan(Object json) {
    Map<String, Object> m = Codec.object(json, "scan");
    List<String> kinds = new ArrayList<>();
    for (Object k : Codec.list(m.get("kinds"), "kinds")) {
      if (!(k instanceof String)) {
        throw Codec.malformed("a kind is not a string");
      }
      kinds.add((String) k);
    }
    Long limit = Codec.optionalLong(m, "limit");
    return new RecordStore.Scan(
        Codec.optionalLong(m, "group"),
        List.copyOf(kinds),
        Codec.optionalLong(m, "time_from"),
        Codec.optionalLong(m, "time_to"),
        Codec.optionalLong(m, "after_id"),
        Codec.optionalLong(m, "before_id"),
        "descending".equals(m.get("order")),
        limit == null ? null : Math.toIntExact(limit));
  }

  private static void record(JsonWriter w, Optional<RecordStore.StoredRecord> record) {
    if (record == null || record.isEmpty()) {
      w.raw("null");
    } else {
      record(w, record.get());
    }
  }

  private static void record(JsonWriter w, RecordStore.StoredRecord r) {
    w.beginObject().name("id").value(r.id());
    w.comma().name("key").value(r.key());
    w.comma().name("group").value(r.group());
    w.comma().name("time").value(r.time());
    w.comma().name("kind").value(r.kind());
    w.comma().name("revision").value(r.revision());
    w.comma().name("body").value(r.body());
    w.endObject();
  }
}
