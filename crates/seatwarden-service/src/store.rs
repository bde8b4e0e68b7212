//! The Store port: everything Seatwarden must remember between calls.
//!
//! Why one trait for all durable state: a host supplies exactly one place to
//! keep things (an SQLite file standalone; the product database through
//! upcalls inside Jira/Confluence), and the guarantees that make automation
//! trustworthy (a plan journaled before the first write, an outcome recorded
//! as it lands, one node per policy, nothing lost on a crash) must hold the
//! same way in both. The trait is object-safe and `Send + Sync` so hosts
//! share one `Arc<dyn Store>` across threads.
//!
//! The contract each method documents is checked for every implementation
//! by [`conformance`]; [`MemoryStore`] is the reference.

pub mod config;
pub mod conformance;
pub mod journal;
pub mod lease;
pub mod marker;
pub mod memory;
pub mod outbox;
pub mod review;
pub mod undo;

use std::io::Write;
use std::time::Duration;

use seatwarden_audit::NewRun;
use seatwarden_audit::{
    Actor, AuditCsv, AuditEntry, AuditFilter, AuditId, AuditQuery, ClearConfirmation, OperationRun,
    Page, PolicyId, PurgeReport, Retention, RunId, RunQuery, RunUpdate, StoredEntry, SummaryCards,
};
use seatwarden_core::Millis;
pub use seatwarden_core::activity_trend::ActivityDay;
use seatwarden_core::exemption::Exemption;
pub use seatwarden_core::forecast::LicenceDay;

pub use config::{ConfigDocument, ConfigVersion};
pub use journal::{
    ActionKey, ActionOutcome, JournaledPlan, OutcomeStatus, PlannedAction, RunJournal,
};
pub use lease::{Lease, LeaseOutcome, LeaseOwner};
pub use marker::{Marker, NEVER};
pub use memory::MemoryStore;
pub use outbox::{Enqueued, MailId, MailStatus, NewOutboxMessage, OutboxMessage, OutboxQuery};
pub use review::{
    Decider, ExemptionKey, NewReviewItem, ReviewChange, ReviewFilter, ReviewId, ReviewItem,
    ReviewOrigin, ReviewState, ReviewStatus,
};
pub use undo::{AccountState, Irreversible, RevertPlan, RevertStep, revert_from_store};

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The configuration changed since the caller read it; nothing was saved.
    #[error(
        "the configuration changed since it was read (version {expected}, now {actual}); reload and try again"
    )]
    Conflict {
        /// The version the caller read.
        expected: ConfigVersion,
        /// The version stored now.
        actual: ConfigVersion,
    },
    /// The configuration document is not JSON; nothing was saved.
    #[error("configuration document is not valid JSON at line {line}, column {column}")]
    InvalidDocument {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// No run with this id.
    #[error("run `{0}` not found")]
    RunNotFound(RunId),
    /// An outcome or resume was asked of a run whose plan was never journaled.
    #[error("run `{0}` has no journaled plan")]
    NoPlan(RunId),
    /// A different plan is already journaled for this run.
    #[error("run `{0}` already journaled a different plan")]
    PlanMismatch(RunId),
    /// The plan lists the same (user, action) twice.
    #[error("plan of run `{run}` lists action `{action}` for user `{user}` twice")]
    DuplicateAction {
        /// The run.
        run: RunId,
        /// The user key.
        user: String,
        /// The action key.
        action: String,
    },
    /// An outcome names an action that is not in the run's plan.
    #[error("action `{action}` for user `{user}` is not in the plan of run `{run}`")]
    UnknownAction {
        /// The run.
        run: RunId,
        /// The user key.
        user: String,
        /// The action key.
        action: String,
    },
    /// No outbox message with this id.
    #[error("mail `{0}` not found")]
    MailNotFound(MailId),
    /// Stored data did not decode (a hand-edited or foreign database).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The database file was written by a newer Seatwarden.
    #[error("database schema version {found} is newer than this build supports ({supported})")]
    SchemaTooNew {
        /// The file's version.
        found: i64,
        /// The newest this build knows.
        supported: i64,
    },
    /// The backend failed (I/O, locking, the product database).
    #[error("store backend: {0}")]
    Backend(String),
    /// Writing an export failed.
    #[error("export: {0}")]
    Io(#[from] std::io::Error),
}

/// Result of a store call.
pub type StoreResult<T> = Result<T, StoreError>;

/// Durable state. See the module docs; every method is atomic: it either
/// happens completely or not at all.
pub trait Store: Send + Sync {
    // ---- configuration ----

    /// The current configuration document, if one was ever saved.
    fn load_config(&self) -> StoreResult<Option<ConfigDocument>>;

    /// Saves a new document if the stored version is still `expected`
    /// ([`ConfigVersion::NONE`] when nothing was saved yet); returns the new
    /// version. A stale `expected` gets [`StoreError::Conflict`] and a
    /// non-JSON document [`StoreError::InvalidDocument`]; neither changes
    /// anything.
    fn save_config(&self, expected: ConfigVersion, json: &str) -> StoreResult<ConfigVersion>;

    // ---- audit ----

    /// Appends entries in one transaction; returns their ids in order.
    fn append_audit(&self, entries: &[AuditEntry]) -> StoreResult<Vec<AuditId>>;

    /// One page of entries, newest first (by time, then id).
    fn query_audit(&self, query: &AuditQuery) -> StoreResult<Page<StoredEntry>>;

    /// How many entries pass a filter.
    fn count_audit(&self, filter: &AuditFilter) -> StoreResult<u64>;

    /// Visits every entry passing a filter, newest first, without holding
    /// them all; stops at the visitor's first error. Returns how many were
    /// visited.
    fn scan_audit(
        &self,
        filter: &AuditFilter,
        visit: &mut dyn FnMut(&StoredEntry) -> StoreResult<()>,
    ) -> StoreResult<u64>;

    /// Deletes entries older than the retention, and finished runs that
    /// finished before it (with their journals and undo records), and
    /// appends a `logs purged` entry with the counts, all in one
    /// transaction. A run's age counts from its `finished_at` (its
    /// `started_at` only for a finished run without one), never from its
    /// start: a run held for approval, or a long one, that started before
    /// the cutoff stays revertible for the whole retention after it ends.
    /// Runs not finished (in progress, awaiting approval) are never purged.
    fn purge_audit(
        &self,
        retention: Retention,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport>;

    /// Deletes every entry and every finished run (with journals and undo
    /// records), then appends a `logs purged` entry. Runs in progress or
    /// awaiting approval stay.
    fn clear_audit(
        &self,
        confirmation: ClearConfirmation,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport>;

    /// Streams the filtered log as CSV (see [`seatwarden_audit::export`]);
    /// returns the number of rows.
    fn export_audit_csv(&self, filter: &AuditFilter, out: &mut dyn Write) -> StoreResult<u64> {
        let mut csv = AuditCsv::new(out)?;
        self.scan_audit(filter, &mut |e| csv.write(e).map_err(StoreError::from))?;
        let rows = csv.rows();
        csv.finish()?.flush()?;
        Ok(rows)
    }

    // ---- runs ----

    /// Records a new run; returns its id.
    fn create_run(&self, run: &NewRun) -> StoreResult<RunId>;

    /// Changes a run; returns it as stored afterwards.
    fn update_run(&self, id: RunId, update: &RunUpdate) -> StoreResult<OperationRun>;

    /// One run.
    fn get_run(&self, id: RunId) -> StoreResult<Option<OperationRun>>;

    /// One page of runs, newest started first.
    fn query_runs(&self, query: &RunQuery) -> StoreResult<Page<OperationRun>>;

    /// The audit page's summary cards at `now`.
    fn summary(&self, now: Millis) -> StoreResult<SummaryCards>;

    // ---- run journal ----

    /// Stores a run's plan before its first write (and sets the run's plan
    /// hash). Journaling the same plan again is a no-op (a resumed run does
    /// it); a different plan gets [`StoreError::PlanMismatch`].
    fn journal_plan(&self, run: RunId, plan: &JournaledPlan) -> StoreResult<()>;

    /// Records one action's outcome as it lands. Returns `false`, changing
    /// nothing, when that (user, action) already has an outcome, so a retry
    /// is a no-op.
    fn record_outcome(&self, run: RunId, outcome: &ActionOutcome) -> StoreResult<bool>;

    /// The plan and the outcomes so far, if the run journaled a plan.
    fn journal(&self, run: RunId) -> StoreResult<Option<RunJournal>>;

    /// The planned actions without an outcome, in plan order: what a resume
    /// still has to do.
    fn pending_actions(&self, run: RunId) -> StoreResult<Vec<PlannedAction>>;

    /// Marks an in-progress run interrupted (finished at `at`); returns
    /// whether it was in progress.
    fn mark_interrupted(&self, run: RunId, at: Millis) -> StoreResult<bool>;

    // ---- undo ----

    /// Records the before-state of accounts a live run is about to touch.
    /// The first state recorded for a (run, user) wins: touching a user
    /// twice must not overwrite what it was before the run.
    fn record_before_states(&self, run: RunId, states: &[AccountState]) -> StoreResult<()>;

    /// The before-states of a run, ordered by user key.
    fn before_states(&self, run: RunId) -> StoreResult<Vec<AccountState>>;

    // ---- mail outbox ----

    /// Queues a message unless one with the same de-duplication key exists.
    fn enqueue_mail(&self, message: &NewOutboxMessage) -> StoreResult<Enqueued>;

    /// Atomically claims up to `limit` due messages (queued and due, or
    /// claimed earlier by a worker whose claim expired): marks them
    /// `sending`, counts an attempt and holds them for `claim` so no other
    /// worker takes them meanwhile. Oldest due first.
    fn claim_due_mail(
        &self,
        now: Millis,
        limit: u32,
        claim: Duration,
    ) -> StoreResult<Vec<OutboxMessage>>;

    /// Marks a message delivered.
    fn mark_mail_sent(&self, id: MailId, now: Millis) -> StoreResult<()>;

    /// Records a failed attempt: queued again at `retry_at`, or finally
    /// failed when `None`. `error` must carry no personal data.
    fn mark_mail_failed(
        &self,
        id: MailId,
        now: Millis,
        error: &str,
        retry_at: Option<Millis>,
    ) -> StoreResult<()>;

    /// An administrator's "Retry": a queued or failed message is queued
    /// again, due at `now` (attempts and the last error are kept, as the
    /// history of what went wrong). `false` when it is being sent, sent or
    /// discarded (nothing changes); `MailNotFound` for an unknown id.
    fn retry_mail(&self, id: MailId, now: Millis) -> StoreResult<bool>;

    /// An administrator's "Discard": a queued or failed message becomes
    /// [`MailStatus::Discarded`] and is never sent. `false` when it is
    /// being sent, sent or discarded already (nothing changes);
    /// `MailNotFound` for an unknown id.
    fn discard_mail(&self, id: MailId, now: Millis) -> StoreResult<bool>;

    /// One page of the outbox, newest created first.
    fn list_mail(&self, query: &OutboxQuery) -> StoreResult<Page<OutboxMessage>>;

    // ---- leases ----

    /// Takes the lease on a policy for `ttl` if it is free, expired, or
    /// already ours (then it is renewed). Exactly one owner holds a lease at
    /// any instant, across threads and processes sharing the store.
    fn acquire_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<LeaseOutcome>;

    /// Extends our lease; `None` if we no longer hold it (it expired and
    /// someone else took it, or it was released).
    fn renew_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>>;

    /// Gives our lease up; returns whether we held it.
    fn release_lease(&self, policy: &PolicyId, owner: &LeaseOwner) -> StoreResult<bool>;

    // ---- licence history ----

    /// Writes day records, each replacing the stored record of the same day
    /// and application (the last write of a day wins), and deletes records of
    /// days before `keep_from_day`, in one transaction.
    fn put_licence_days(&self, days: &[LicenceDay], keep_from_day: i64) -> StoreResult<()>;

    /// The records of days `from_day..=to_day`, oldest day first, then by
    /// application key.
    fn licence_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<LicenceDay>>;

    // ---- activity trend (written with the licence history) ----

    /// Writes activity records, each replacing the stored record of the same
    /// day (the last write of a day wins), and deletes records of days before
    /// `keep_from_day`, in one transaction.
    fn put_activity_days(&self, days: &[ActivityDay], keep_from_day: i64) -> StoreResult<()>;

    /// The activity records of days `from_day..=to_day`, oldest first. A day
    /// without a record is absent (not recorded), never a zero: stores
    /// written before the trend existed hold licence records only.
    fn activity_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<ActivityDay>>;

    // ---- markers (see [`marker`]) ----

    /// Stores `marker` unless a live one (expiring after `now`) of the same
    /// kind and key exists. `None`: it was stored (this caller claimed it);
    /// `Some(existing)`: someone claimed it first and nothing changed.
    /// Exactly one of two concurrent claims wins, across nodes.
    fn claim_marker(&self, marker: &Marker, now: Millis) -> StoreResult<Option<Marker>>;

    /// Stores `marker`, replacing any marker of the same kind and key
    /// (rotating a secret; removing a hook by expiring it).
    fn put_marker(&self, marker: &Marker) -> StoreResult<()>;

    /// Replaces the live marker of `marker`'s kind and key only while its
    /// value is still `expected` (a compare-and-set: a webhook's settings
    /// saved against the version the admin read). `true`: replaced;
    /// `false`: it was changed, removed or lapsed since it was read, and
    /// nothing changed. Of two concurrent replaces naming the same
    /// `expected`, exactly one wins, across nodes.
    fn replace_marker(&self, marker: &Marker, expected: &str, now: Millis) -> StoreResult<bool>;

    /// The live markers of `kind` at `now`, by key. For the small kinds
    /// only (secrets, hooks), never for per-event ones.
    fn list_markers(&self, kind: &str, now: Millis) -> StoreResult<Vec<Marker>>;

    /// The live marker of `kind` under `key` at `now`, if any (a link
    /// already used). Stores override this with a keyed read; the default
    /// scans the kind.
    fn marker(&self, kind: &str, key: &str, now: Millis) -> StoreResult<Option<Marker>> {
        Ok(self
            .list_markers(kind, now)?
            .into_iter()
            .find(|m| m.key == key))
    }
    /// Deletes the markers of each of `kinds` that lapsed at or before
    /// `cutoff` (the scheduled maintenance; see `docs/access-requests.md`
    /// for which kinds and when). Answers how many went.
    fn prune_markers(&self, kinds: &[&str], cutoff: Millis) -> StoreResult<u64>;

    /// Counts one request on the shared counter `c.counter` for the window
    /// ending at `c.window_end`, unless `c.limit` requests are counted there
    /// already: `true` when it was counted. Atomic across nodes (two nodes
    /// counting the last slot: one wins). The counter is a marker of kind
    /// [`marker::RATE`] keyed by counter and `c.window_end`, lapsing then;
    /// lapsed counters go as later counts pass.
    fn count_request(&self, c: &marker::RateCount<'_>) -> StoreResult<bool>;
    // ---- exemptions and the review list (see [`review`]) ----

    /// Every stored exemption (lapsed ones too, until pruned), ordered by
    /// user key, then scope.
    fn list_exemptions(&self) -> StoreResult<Vec<Exemption>>;

    /// In one transaction: stores each of `grant` (replacing the exemption
    /// of the same user and scope, if any) and removes each of `revoke`.
    /// Answers the exemptions replaced or removed, grants' first, in input
    /// order (so the caller can audit what was there before).
    fn write_exemptions(
        &self,
        grant: &[Exemption],
        revoke: &[ExemptionKey],
    ) -> StoreResult<Vec<Exemption>>;

    /// Puts items onto the review list, each unless an open or approved item
    /// for the same (policy, user) exists; answers those created, with
    /// their ids (strictly increasing). Callers of one policy are serialised
    /// by its lease.
    fn enqueue_review(&self, items: &[NewReviewItem]) -> StoreResult<Vec<ReviewItem>>;

    /// The items passing `filter`, by id.
    fn list_review(&self, filter: &ReviewFilter) -> StoreResult<Vec<ReviewItem>>;

    /// Applies each change whose item still has status `from` (compare and
    /// set, one transaction); answers the items changed, as stored after.
    fn update_review(&self, changes: &[ReviewChange]) -> StoreResult<Vec<ReviewItem>>;
}

/// `now + d` in milliseconds, saturating.
pub fn add_duration(now: Millis, d: Duration) -> Millis {
    let ms = i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    Millis(now.0.saturating_add(ms))
}
