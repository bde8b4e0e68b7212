//! The schema and its migrations.
//!
//! Migrations are an ordered list applied at open inside one immediate
//! transaction, so two processes opening the same new file cannot both
//! migrate it, and a crash mid-migration leaves the previous version intact.
//! `schema_version` holds the version reached. A file from a newer build is
//! refused rather than guessed at. Never edit a released migration: append a
//! new one.

use rusqlite::{Connection, TransactionBehavior};

use seatwarden_service::store::StoreError;

use crate::backend;

/// The migrations, in order; the schema version is the number applied.
pub const MIGRATIONS: &[&str] = &[
    // 1: the initial schema.
    r#"
CREATE TABLE config (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    version   INTEGER NOT NULL,
    document  TEXT NOT NULL
);

CREATE TABLE audit (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    actor_kind    INTEGER NOT NULL,   -- 0 user, 1 automation
    actor_key     TEXT,
    actor_name    TEXT,
    actor_policy  TEXT,
    client_ip     TEXT,
    action        TEXT NOT NULL,      -- seatwarden_audit::Action stable name
    target_user   TEXT,
    target_name   TEXT,
    target_group  TEXT,
    status        INTEGER NOT NULL,   -- 0 success, 1 failed, 2 skipped
    description   TEXT NOT NULL,
    reason        TEXT,
    run_id        INTEGER,
    policy_id     TEXT
);
-- Newest-first paging walks (at, rowid) backwards; one action's entries
-- page off (action, at, rowid).
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_action_at ON audit (action, at);
CREATE INDEX audit_run ON audit (run_id) WHERE run_id IS NOT NULL;

CREATE TABLE runs (
    id              INTEGER PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    initiator_kind  INTEGER NOT NULL, -- 0 manual, 1 automated
    initiator_user  TEXT,
    initiator_name  TEXT,
    policy_id       TEXT,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    status          INTEGER NOT NULL, -- seatwarden_audit::RunStatus::code
    users_affected  INTEGER NOT NULL DEFAULT 0,
    succeeded       INTEGER NOT NULL DEFAULT 0,
    failed          INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    plan_hash       TEXT,
    reverts         INTEGER
);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_status ON runs (status);

CREATE TABLE journal_plans (
    run_id  INTEGER PRIMARY KEY,
    hash    TEXT NOT NULL,
    plan    TEXT NOT NULL
);

CREATE TABLE journal_actions (
    run_id          INTEGER NOT NULL,
    user_key        TEXT NOT NULL,
    action_key      TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    operation       TEXT,             -- JSON of seatwarden_core::Operation
    outcome_status  INTEGER,          -- NULL until the action lands
    outcome_detail  TEXT,
    outcome_at      INTEGER,
    PRIMARY KEY (run_id, user_key, action_key)
) WITHOUT ROWID;
CREATE INDEX journal_actions_seq ON journal_actions (run_id, seq);

CREATE TABLE undo_states (
    run_id    INTEGER NOT NULL,
    user_key  TEXT NOT NULL,
    state     TEXT NOT NULL,          -- JSON of AccountState
    PRIMARY KEY (run_id, user_key)
) WITHOUT ROWID;

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    dedup_key        TEXT NOT NULL UNIQUE,
    template_id      TEXT NOT NULL,
    recipient_user   TEXT,
    to_addrs         TEXT NOT NULL,   -- JSON array
    bcc_addrs        TEXT NOT NULL,   -- JSON array
    subject          TEXT NOT NULL,
    html_body        TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    status           INTEGER NOT NULL, -- 0 queued, 1 sending, 2 sent, 3 failed
    attempts         INTEGER NOT NULL,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN (0, 1);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE TABLE leases (
    policy_id   TEXT PRIMARY KEY,
    owner       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);
"#,
    // 2: whether audit ids follow time. While they do (entries appended in
    // time order, the usual case), newest first by (at, id) is simply
    // descending id, and a full export walks the table instead of looking
    // every row up from the `audit_at` index. `audit::append` sets the flag
    // when an entry is older than the newest one; only "clear all" resets it.
    r#"
CREATE TABLE audit_order (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    out_of_order  INTEGER NOT NULL
);
INSERT INTO audit_order (id, out_of_order)
SELECT 1, EXISTS (
    SELECT 1 FROM (SELECT at, lead(at) OVER (ORDER BY id) AS next FROM audit) WHERE next < at
);
"#,
    // 3: exemptions (one per user and scope) and the review list (see
    // `seatwarden_service::store::review`).
    r#"
CREATE TABLE exemptions (
    user_key  TEXT NOT NULL,
    scope     TEXT NOT NULL,          -- `*` or a policy id
    body      TEXT NOT NULL,          -- JSON of seatwarden_core::exemption::Exemption
    PRIMARY KEY (user_key, scope)
) WITHOUT ROWID;

CREATE TABLE review_items (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    policy_id  TEXT NOT NULL,
    user_key   TEXT NOT NULL,
    status     TEXT NOT NULL,         -- ReviewStatus stable name
    body       TEXT NOT NULL          -- JSON of ReviewItem
);
CREATE INDEX review_pending ON review_items (policy_id, user_key) WHERE status IN ('open', 'approved');
CREATE INDEX review_status ON review_items (status);
"#,
    // 4: markers (signing secrets, used access links, webhook event ids;
    // see `seatwarden_service::store::marker`).
    r#"
CREATE TABLE markers (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
"#,
    // 5: licence history, one row per UTC day and application (issue 22).
    r#"
CREATE TABLE licence_history (
    day          INTEGER NOT NULL,
    application  TEXT NOT NULL,
    figures      TEXT NOT NULL,
    PRIMARY KEY (day, application)
) WITHOUT ROWID;
"#,
    // 6: the activity trend, one row per UTC day (issue 24). A file
    // migrated from 5 has none: its days read as not recorded.
    r#"
CREATE TABLE activity_history (
    day      INTEGER PRIMARY KEY,
    figures  TEXT NOT NULL
);
"#,
];

/// The schema version this build writes.
pub fn latest() -> i64 {
    i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX)
}

/// Brings a database to [`latest`]; returns the version found before.
pub fn migrate(conn: &mut Connection) -> Result<i64, StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(backend)?;
    tx.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);")
        .map_err(backend)?;
    let found: Option<i64> = tx
        .query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
        .map_err(backend)?;
    let found = found.unwrap_or(0);
    if found > latest() {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: latest(),
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i64::try_from(i + 1).unwrap_or(i64::MAX);
        if version > found {
            tx.execute_batch(sql).map_err(backend)?;
        }
    }
    if found < latest() {
        tx.execute("DELETE FROM schema_version", [])
            .map_err(backend)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [latest()],
        )
        .map_err(backend)?;
    }
    tx.commit().map_err(backend)?;
    Ok(found)
}
