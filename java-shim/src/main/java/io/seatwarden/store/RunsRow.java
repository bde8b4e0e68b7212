package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code runs} table (see {@link RecordTables}). */
@Preload
@Table("SW_RUNS")
public interface RunsRow extends RecordRow {}
