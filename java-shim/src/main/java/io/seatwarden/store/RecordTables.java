package io.seatwarden.store;

import java.util.List;
import java.util.Map;

/**
 * The wire table names of {@code seatwarden_store_records::Table} and the Active Objects entity
 * that holds each. The names never change once released: renaming an entity is a data migration.
 */
public final class RecordTables {

  /** Every entity, in the order the descriptor's {@code <ao>} module lists them. */
  public static final List<Class<? extends RecordRow>> ENTITIES =
      List.of(
          ConfigRow.class,
          AuditRow.class,
          RunsRow.class,
          JournalRow.class,
          OutcomesRow.class,
          BeforeStatesRow.class,
          OutboxRow.class,
          LeasesRow.class,
          LicenceHistoryRow.class,
          ExemptionsRow.class,
          ReviewRow.class);

  private static final Map<String, Class<? extends RecordRow>> BY_WIRE_NAME =
      Map.ofEntries(
          Map.entry("config", ConfigRow.class),
          Map.entry("audit", AuditRow.class),
          Map.entry("runs", RunsRow.class),
          Map.entry("journal", JournalRow.class),
          Map.entry("outcomes", OutcomesRow.class),
          Map.entry("before_states", BeforeStatesRow.class),
          Map.entry("outbox", OutboxRow.class),
          Map.entry("leases", LeasesRow.class),
          Map.entry("exemptions", ExemptionsRow.class),
          Map.entry("review", ReviewRow.class),
          Map.entry("licence_history", LicenceHistoryRow.class));

  private RecordTables() {}

  /**
   * The entity of a wire table.
   *
   * @throws IllegalArgumentException for a name the store does not know
   */
  public static Class<? extends RecordRow> entity(String table) {
    Class<? extends RecordRow> type = table == null ? null : BY_WIRE_NAME.get(table);
    if (type == null) {
      throw new IllegalArgumentException("unknown record table `" + table + "`");
    }
    return type;
  }
}
