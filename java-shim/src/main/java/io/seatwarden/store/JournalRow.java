package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code journal} table (see {@link RecordTables}). */
@Preload
@Table("SW_JOURNAL")
public interface JournalRow extends RecordRow {}
