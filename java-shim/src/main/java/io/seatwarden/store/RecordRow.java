package io.seatwarden.store;

import net.java.ao.Entity;
import net.java.ao.schema.Indexed;
import net.java.ao.schema.NotNull;
import net.java.ao.schema.StringLength;

/**
 * The columns every Seatwarden table has: one {@link io.seatwarden.bridge.RecordStore} row.
 *
 * <p>Active Objects maps each getter to a column named in upper snake case ({@code getAtTime} is
 * {@code AT_TIME}); the names avoid SQL keywords ({@code KEY}, {@code GROUP}, {@code TIME}). The
 * tables themselves are the sub-interfaces in {@link RecordTables}: one per wire table, so the
 * large audit table never slows the small hot ones (leases, outbox, config) and each has its own
 * id sequence. The body is a CLOB: audit entries and journals can be large.
 */
public interface RecordRow extends Entity {

  /** Column of {@link #getRecordKey()}. */
  String RECORD_KEY = "RECORD_KEY";

  /** Column of {@link #getGroupId()}. */
  String GROUP_ID = "GROUP_ID";

  /** Column of {@link #getAtTime()}. */
  String AT_TIME = "AT_TIME";

  /** Column of {@link #getKind()}. */
  String KIND = "KIND";

  /** Column of {@link #getRevision()}. */
  String REVISION = "REVISION";

  /** Column of {@link #getBody()}. */
  String BODY = "BODY";

  /** Column of the primary key. */
  String ID = "ID";

  /** The row's key, unique within its table, or null. */
  @Indexed
  @StringLength(255)
  String getRecordKey();

  /** Sets {@link #getRecordKey()}. */
  void setRecordKey(String key);

  /** The grouping id (a run id), or null. */
  @Indexed
  Long getGroupId();

  /** Sets {@link #getGroupId()}. */
  void setGroupId(Long group);

  /** UTC ms the row is ordered and filtered by. */
  @Indexed
  @NotNull
  long getAtTime();

  /** Sets {@link #getAtTime()}. */
  void setAtTime(long time);

  /** A short tag (an audit action, a run status), or null. */
  @Indexed
  @StringLength(255)
  String getKind();

  /** Sets {@link #getKind()}. */
  void setKind(String kind);

  /** 1 on insert, plus 1 on every successful update. */
  @NotNull
  long getRevision();

  /** Sets {@link #getRevision()}. */
  void setRevision(long revision);

  /** The JSON body, verbatim. */
  @StringLength(StringLength.UNLIMITED)
  String getBody();

  /** Sets {@link #getBody()}. */
  void setBody(String body);
}
