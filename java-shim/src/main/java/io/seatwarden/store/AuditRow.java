package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code audit} table (see {@link RecordTables}). */
@Preload
@Table("SW_AUDIT")
public interface AuditRow extends RecordRow {}
