package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code before_states} table (see {@link RecordTables}). */
@Preload
@Table("SW_BEFORE_STATES")
public interface BeforeStatesRow extends RecordRow {}
