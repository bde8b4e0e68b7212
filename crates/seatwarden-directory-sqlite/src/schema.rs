//! The directory's schema and its migrations.
//!
//! Migrations are numbered and append-only; `PRAGMA user_version` records
//! how far a file has come, so a newer build opens an older data directory
//! and brings it forward in one transaction.

use rusqlite::Connection;

/// Each migration, in order; migration `i` brings the file to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE users (
    key             TEXT PRIMARY KEY,
    username        TEXT NOT NULL,
    username_folded TEXT NOT NULL UNIQUE,
    display_name    TEXT NOT NULL,
    email           TEXT NOT NULL,
    directory_id    INTEGER NOT NULL,
    active          INTEGER NOT NULL,
    created         INTEGER NOT NULL,
    last_login      INTEGER,
    login_count     INTEGER,
    deactivated_at  INTEGER
) WITHOUT ROWID;
CREATE TABLE memberships (
    user_key     TEXT NOT NULL REFERENCES users(key) ON DELETE CASCADE,
    group_folded TEXT NOT NULL,
    group_name   TEXT NOT NULL,
    PRIMARY KEY (user_key, group_folded)
) WITHOUT ROWID;
CREATE INDEX memberships_by_group ON memberships(group_folded, user_key);
CREATE TABLE delete_vetoes (
    user_key TEXT PRIMARY KEY,
    reason   TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE open_issues (
    user_key TEXT PRIMARY KEY,
    count    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE handovers (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_key TEXT NOT NULL,
    target   TEXT NOT NULL,
    moved    INTEGER NOT NULL
);
CREATE TABLE logins (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    user_key TEXT NOT NULL,
    at       INTEGER NOT NULL
);
",
    r"
-- Activity signals (docs/activity.md): one JSON array per user, aligned with
-- the `signals` meta entry; NULL when the user has no value for any.
ALTER TABLE users ADD COLUMN activity TEXT;
",
];

/// The schema version this build writes.
pub(crate) fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Brings `conn` to [`latest`]; returns the version it found.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<i64> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (index, sql) in MIGRATIONS.iter().enumerate() {
        let version = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
        if version > found {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
        }
    }
    tx.commit()?;
    Ok(found)
}
