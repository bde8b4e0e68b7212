package io.seatwarden.store;

import net.java.ao.Preload;
import net.java.ao.schema.Table;

/** The {@code exemptions} table (see {@link RecordTables}). */
@Preload
@Table("SW_EXEMPTIONS")
public interface ExemptionsRow extends RecordRow {}
