package io.seatwarden.store;

import net.java.ao.schema.Table;

/** The {@code outbox} table (see {@link RecordTables}). */
@Table("SW_OUTBOX")
public interface OutboxRow extends RecordRow {}
