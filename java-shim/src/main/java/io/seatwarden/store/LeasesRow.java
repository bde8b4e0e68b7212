package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code leases} table (see {@link RecordTables}). */
@Preload
@Table("SW_LEASES")
public interface LeasesRow extends RecordRow {}
