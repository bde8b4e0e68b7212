//! Audit entries and operation runs: the record of every change Seatwarden
//! makes, with queries, retention and export.
//!
//! Why a crate of its own: the same record is written by the service, stored
//! by two very different stores (SQLite here, the product database behind
//! JNI) and read by the admin UI and CSV export. Keeping the types, the filter
//! semantics and the export format in one pure crate (no I/O beyond a caller's
//! `Write`, no clock) means every store answers a query the same way: the
//! in-memory store uses [`AuditFilter::matches`] directly and the SQLite store
//! is tested against it.
//!
//! Secrets never enter the log by construction: there is no field for a value
//! of a setting, [`Secret`] refuses to print itself, and a settings change is
//! described by the paths that changed ([`changed_paths`]), never their values.
#![deny(missing_docs)]

pub mod change;
pub mod entry;
pub mod export;
pub mod query;
pub mod retention;
pub mod run;
pub mod secret;

pub use change::{FieldChange, changed_fields, describe_changes, is_secret_path};
pub use entry::{Action, Actor, AuditEntry, AuditId, PolicyId, Status, StoredEntry, Target};
pub use export::{AUDIT_CSV_HEADER, ActorRef, AuditCsv, ExportRow, formula_safe};
pub use query::{
    AuditFilter, AuditQuery, Cursor, CursorError, Page, RunFilter, RunQuery, SummaryCards,
};
pub use retention::{
    CLEAR_CONFIRMATION, ClearConfirmation, ConfirmationError, PurgeReport, PurgeScope, Retention,
};
pub use run::{
    Initiator, NewRun, OperationRun, PlanHash, RunCounts, RunId, RunKind, RunStatus, RunUpdate,
};
pub use secret::{Secret, changed_paths};
