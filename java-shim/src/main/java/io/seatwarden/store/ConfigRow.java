package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code config} table (see {@link RecordTables}). */
@Preload
@Table("SW_CONFIG")
public interface ConfigRow extends RecordRow {}
