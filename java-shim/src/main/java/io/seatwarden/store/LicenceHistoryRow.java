package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code licence_history} table (see {@link RecordTables}): one row per day and application. */
@Preload
@Table("SW_LICENCE_HISTORY")
public interface LicenceHistoryRow extends RecordRow {}
