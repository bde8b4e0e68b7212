package io.seatwarden.store;

import net.java.ao.schema.Table;

/** The {@code journal} table (see {@link RecordTables}). */
@Table("SW_JOURNAL")
public interface JournalRow extends RecordRow {}
