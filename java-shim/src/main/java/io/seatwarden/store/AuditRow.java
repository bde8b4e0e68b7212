package io.seatwarden.store;

import net.java.ao.schema.Table;

/** The {@code audit} table (see {@link RecordTables}). */
@Table("SW_AUDIT")
public interface AuditRow extends RecordRow {}
