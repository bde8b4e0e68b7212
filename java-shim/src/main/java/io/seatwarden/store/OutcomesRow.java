package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code outcomes} table (see {@link RecordTables}). */
@Preload
@Table("SW_OUTCOMES")
public interface OutcomesRow extends RecordRow {}
