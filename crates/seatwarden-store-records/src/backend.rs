//! The record backend: the few row operations a host must provide.
//!
//! The contract is deliberately small so that an Active Objects entity per
//! table (or a `TreeMap` in a test) implements it in a page of Java:
//!
//! - every table holds [`Record`]s with a backend-assigned `id` that only
//!   grows (newest = largest id), an optional `key` unique within the table,
//!   an optional `group` (a run id, for instance), a `time` and a `kind`
//!   that scans can filter on without reading bodies, a JSON `body` the
//!   backend never looks into, and a `revision` that every update bumps;
//! - [`RecordBackend::update`] is a compare-and-set on the revision, which is
//!   all the cross-node coordination the Store needs (config saves, leases,
//!   outbox claims): the database's row update is atomic on every node;
//! - [`RecordBackend::insert`] is atomic per batch: all rows land or none.
//!
//! Every method must be safe to call from several threads at once.

use seatwarden_core::Millis;
use serde::{Deserialize, Serialize};

/// The tables the record store keeps. The wire names ([`Table::as_str`])
/// are what the Java backend sees; they never change once released.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    /// The configuration document (one row, key `config`).
    Config,
    /// Audit entries (id: entry id; group: run id; time: entry time; kind: action).
    Audit,
    /// Operation runs (id: run id; time: start; kind: status).
    Runs,
    /// Journaled plans, one per run (key and group: run id).
    Journal,
    /// Action outcomes (key: run, user and action; group: run id).
    Outcomes,
    /// Before-states for undo (key: run and user; group: run id).
    BeforeStates,
    /// The mail outbox (key: dedupe key; kind: status; time: when due).
    Outbox,
    /// Policy leases (key: policy id).
    Leases,
    /// Licence history (key: `day:application`; time: the day).
    LicenceHistory,
    /// Exemptions (key: scope and user; kind: `active` or `revoked`).
    Exemptions,
    /// Review-list items (id: item id; time: queued; kind: status).
    Review,
}

impl Table {
    /// Every table, in a fixed order (for backends that create them up front).
    pub const ALL: [Table; 11] = [
        Table::Config,
        Table::Audit,
        Table::Runs,
        Table::Journal,
        Table::Outcomes,
        Table::BeforeStates,
        Table::Outbox,
        Table::Leases,
        Table::LicenceHistory,
        Table::Exemptions,
        Table::Review,
    ];

    /// The table's stable wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Config => "config",
            Table::Audit => "audit",
            Table::Runs => "runs",
            Table::Journal => "journal",
            Table::Outcomes => "outcomes",
            Table::BeforeStates => "before_states",
            Table::Outbox => "outbox",
            Table::Leases => "leases",
            Table::LicenceHistory => "licence_history",
            Table::Exemptions => "exemptions",
            Table::Review => "review",
        }
    }
}

/// A row to insert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecord {
    /// Unique within the table when present.
    pub key: Option<String>,
    /// A grouping id scans can filter on (a run id).
    pub group: Option<i64>,
    /// The instant scans order and filter by (UTC ms).
    pub time: Millis,
    /// A short tag scans can filter on (an audit action, a run status).
    pub kind: Option<String>,
    /// The JSON body; the backend stores it verbatim.
    pub body: String,
}

/// A stored row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Backend-assigned, strictly increasing in insertion order, never reused.
    pub id: i64,
    /// See [`NewRecord::key`].
    pub key: Option<String>,
    /// See [`NewRecord::group`].
    pub group: Option<i64>,
    /// See [`NewRecord::time`].
    pub time: Millis,
    /// See [`NewRecord::kind`].
    pub kind: Option<String>,
    /// Starts at 1 on insert; every successful update adds 1.
    pub revision: i64,
    /// See [`NewRecord::body`].
    pub body: String,
}

/// Which way a scan walks ids.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    /// Oldest first (ascending id).
    #[default]
    Ascending,
    /// Newest first (descending id).
    Descending,
}

/// Which rows a scan, count or delete selects. Every present bound must
/// hold; an empty `kinds` selects every kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scan {
    /// Only rows of this group.
    pub group: Option<i64>,
    /// Only rows whose kind is one of these (empty: any kind).
    pub kinds: Vec<String>,
    /// Only rows with `time >= time_from`.
    pub time_from: Option<Millis>,
    /// Only rows with `time < time_to`.
    pub time_to: Option<Millis>,
    /// Only rows with `id > after_id` (cursor for ascending scans).
    pub after_id: Option<i64>,
    /// Only rows with `id < before_id` (cursor for descending scans).
    pub before_id: Option<i64>,
    /// The walking order.
    pub order: Order,
    /// At most this many rows (scans only; counts and deletes ignore it).
    pub limit: Option<u32>,
}

/// Why a backend call failed. Messages name tables and ids, never row
/// contents (bodies can hold personal data).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    /// An insert carried a key the table already holds; nothing was inserted.
    #[error("table `{table}` already holds key `{key}`")]
    DuplicateKey {
        /// The table's wire name.
        table: &'static str,
        /// The clashing key.
        key: String,
    },
    /// The database did not answer or refused the call.
    #[error("record backend unavailable: {0}")]
    Unavailable(String),
    /// The backend answered with something that breaks this contract.
    #[error("record backend broke its contract: {0}")]
    Invalid(String),
}

/// The row operations a host provides. See the module docs for the contract.
pub trait RecordBackend: Send + Sync {
    /// Inserts `records` atomically and returns their ids in order. If any
    /// key already exists (in the table or twice in the batch) nothing is
    /// inserted and the answer is [`BackendError::DuplicateKey`].
    fn insert(&self, table: Table, records: &[NewRecord]) -> Result<Vec<i64>, BackendError>;

    /// The row with this key, if any.
    fn get(&self, table: Table, key: &str) -> Result<Option<Record>, BackendError>;

    /// The row with this id, if any.
    fn get_by_id(&self, table: Table, id: i64) -> Result<Option<Record>, BackendError>;

    /// Replaces the time, kind and body of row `id` if its revision is still
    /// `expected_revision`; answers the new revision, or `None` when the row
    /// is gone or its revision moved on (nothing changed then).
    fn update(
        &self,
        table: Table,
        id: i64,
        expected_revision: i64,
        time: Millis,
        kind: Option<&str>,
        body: &str,
    ) -> Result<Option<i64>, BackendError>;

    /// The rows `scan` selects, in its order, at most `scan.limit`.
    fn scan(&self, table: Table, scan: &Scan) -> Result<Vec<Record>, BackendError>;

    /// How many rows `scan` selects (ignoring its limit).
    fn count(&self, table: Table, scan: &Scan) -> Result<u64, BackendError>;

    /// Deletes the rows `scan` selects (ignoring its limit); answers how many.
    fn delete(&self, table: Table, scan: &Scan) -> Result<u64, BackendError>;
}
