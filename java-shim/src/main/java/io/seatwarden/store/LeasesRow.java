package io.seatwarden.store;

import net.java.ao.schema.Table;

/** The {@code leases} table (see {@link RecordTables}). */
@Table("SW_LEASES")
public interface LeasesRow extends RecordRow {}
