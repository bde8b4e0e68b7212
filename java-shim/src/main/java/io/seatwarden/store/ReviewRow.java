package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code review} table (see {@link RecordTables}). */
@Preload
@Table("SW_REVIEW")
public interface ReviewRow extends RecordRow {}
