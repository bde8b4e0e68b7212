package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code outbox} table (see {@link RecordTables}). */
@Preload
@Table("SW_OUTBOX")
public interface OutboxRow extends RecordRow {}
