//! [`RecordStore`]: the whole [`Store`] contract over a [`RecordBackend`].
//!
//! How each concern maps onto the tables (see [`Table`]):
//!
//! | concern | table | key | group | time | kind | body |
//! |---|---|---|---|---|---|---|
//! | configuration | `config` | `config` | – | 0 | – | the document; **version = revision** |
//! | audit entries | `audit` | – | run id | entry time | action name | `AuditEntry` (id = row id) |
//! | runs | `runs` | – | – | started | status name | `OperationRun` (id = row id) |
//! | journaled plans | `journal` | run id | run id | run start | – | `JournaledPlan` |
//! | outcomes | `outcomes` | `[run,user,action]` | run id | landed | outcome status | `ActionOutcome` |
//! | before-states | `before_states` | `[run,user]` | run id | run start | – | `AccountState` |
//! | mail outbox | `outbox` | dedup key | – | next attempt | mail status | `OutboxMessage` (id = row id) |
//! | leases | `leases` | policy id | – | expiry | – | owner (none once released) + expiry |
//! | licence history | `licence_history` | `day:application` | – | the day (midnight UTC) | – | `LicenceDay` |
//! | activity trend | `licence_history` | `activity:day` | – | the day (midnight UTC) | `activity` | `ActivityDay` |
//! | exemptions | `exemptions` | scope and user | – | granted | `active` / `revoked` | `Exemption` |
//! | review list | `review` | – | – | queued | status name | item and state (id = row id) |
//!
//! Every guarantee that needs atomicity comes from one backend call: a
//! configuration save, a run update, an outbox claim and a lease change are
//! compare-and-set updates on the row's revision (retried on a lost race);
//! "first outcome wins" and "first before-state wins" are inserts under a
//! unique key (a duplicate means "already recorded"). What spans tables
//! (journaling a plan and stamping its hash on the run; a purge) is a
//! sequence of idempotent steps: repeating it after a crash finishes it.
//!
//! Audit queries are newest first by (time, id) while a backend walks ids:
//! [`audit`] walks *time windows* from the newest down, pushing the action
//! types, the run and the date range down to the backend and applying the
//! rest of the filter in Rust, reading each window in bounded chunks.

mod audit;
mod history;
mod markers;
mod people;
mod work;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde::Serialize;
use serde::de::DeserializeOwned;

use seatwarden_audit::{
    Actor, AuditEntry, AuditFilter, AuditId, AuditQuery, ClearConfirmation, NewRun, OperationRun,
    Page, PolicyId, PurgeReport, Retention, RunId, RunQuery, RunUpdate, StoredEntry, SummaryCards,
};
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::store::{
    AccountState, ActionKey, ActionOutcome, ActivityDay, ConfigDocument, ConfigVersion, Enqueued,
    JournaledPlan, Lease, LeaseOutcome, LeaseOwner, LicenceDay, MailId, Marker, NewOutboxMessage,
    OutboxMessage, OutboxQuery, PlannedAction, RunJournal, Store, StoreError, StoreResult,
};

use crate::backend::{BackendError, Record, RecordBackend, Scan, Table};

/// Rows read per backend call when a method walks a table.
const CHUNK: u32 = 1_000;

/// Attempts at a compare-and-set before giving up (each lost attempt means
/// another writer changed the row in between, so this is only reached
/// under pathological contention).
const CAS_ATTEMPTS: usize = 100;

/// A journaled plan with its (user, action) → position index. Plans never
/// change once journaled, so the index is cached per run.
struct PlanIndex {
    plan: JournaledPlan,
    index: HashMap<(UserKey, ActionKey), usize>,
}

/// The Store over a record backend. Cheap to share (`Arc` inside); two
/// `RecordStore`s over one backend (two cluster nodes, or two threads)
/// coordinate through the backend alone.
pub struct RecordStore<B: RecordBackend + ?Sized> {
    backend: Arc<B>,
    plans: Mutex<HashMap<RunId, Arc<PlanIndex>>>,
}

impl<B: RecordBackend> RecordStore<B> {
    /// A store over `backend`.
    pub fn new(backend: B) -> RecordStore<B> {
        RecordStore::shared(Arc::new(backend))
    }
}

impl<B: RecordBackend + ?Sized> RecordStore<B> {
    /// A store over a backend others hold too (another store, a test).
    pub fn shared(backend: Arc<B>) -> RecordStore<B> {
        RecordStore {
            backend,
            plans: Mutex::new(HashMap::new()),
        }
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<B> {
        &self.backend
    }

    /// Every row `scan` selects, read `CHUNK` rows per call in the scan's
    /// id order (the scan's own limit and cursor are replaced).
    fn scan_all(&self, table: Table, scan: &Scan) -> StoreResult<Vec<Record>> {
        let mut out = Vec::new();
        self.scan_chunks(table, scan, &mut |chunk| {
            out.extend(chunk);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands every row `scan` selects to `each`, `CHUNK` rows per call.
    fn scan_chunks(
        &self,
        table: Table,
        scan: &Scan,
        each: &mut dyn FnMut(Vec<Record>) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut scan = Scan {
            limit: Some(CHUNK),
            ..scan.clone()
        };
        loop {
            let chunk = self.backend.scan(table, &scan).map_err(backend_err)?;
            let full = chunk.len() >= CHUNK as usize;
            let last = chunk.last().map(|r| r.id);
            if let Some(last) = last {
                check_cursor(table, &scan, last)?;
                match scan.order {
                    crate::Order::Ascending => scan.after_id = Some(last),
                    crate::Order::Descending => scan.before_id = Some(last),
                }
            }
            each(chunk)?;
            if !full {
                return Ok(());
            }
        }
    }

    /// Deletes the one row with this id.
    fn delete_id(&self, table: Table, id: i64) -> StoreResult<u64> {
        self.backend.delete(table, &by_id(id)).map_err(backend_err)
    }
}

/// A scan selecting exactly row `id`.
fn by_id(id: i64) -> Scan {
    Scan {
        after_id: Some(id.saturating_sub(1)),
        before_id: Some(id.saturating_add(1)),
        ..Scan::default()
    }
}

/// A chunked walk must move forward, or a broken backend would loop forever.
fn check_cursor(table: Table, scan: &Scan, last: i64) -> StoreResult<()> {
    let stuck = match scan.order {
        crate::Order::Ascending => scan.after_id.is_some_and(|a| last <= a),
        crate::Order::Descending => scan.before_id.is_some_and(|b| last >= b),
    };
    if stuck {
        return Err(StoreError::Corrupt(format!(
            "table `{}` answered row `{last}` outside the scan's id bounds",
            table.as_str()
        )));
    }
    Ok(())
}

/// A backend failure as the Store reports it.
pub(crate) fn backend_err(e: BackendError) -> StoreError {
    match e {
        BackendError::Invalid(what) => StoreError::Corrupt(what),
        other => StoreError::Backend(other.to_string()),
    }
}

/// A row body that does not decode: names the table and row, never the body.
pub(crate) fn decode<T: DeserializeOwned>(table: Table, r: &Record) -> StoreResult<T> {
    serde_json::from_str(&r.body).map_err(|e| {
        StoreError::Corrupt(format!(
            "table `{}` row `{}` does not decode at line {}, column {}",
            table.as_str(),
            r.id,
            e.line(),
            e.column()
        ))
    })
}

/// A body as JSON.
pub(crate) fn encode<T: Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(format!("encoding a row: {e}")))
}

/// A compare-and-set that kept losing.
pub(crate) fn contention(table: Table) -> StoreError {
    StoreError::Backend(format!(
        "gave up after {CAS_ATTEMPTS} compare-and-set attempts on table `{}`",
        table.as_str()
    ))
}

impl<B: RecordBackend + ?Sized> Store for RecordStore<B> {
    fn load_config(&self) -> StoreResult<Option<ConfigDocument>> {
        self.load_config_doc()
    }

    fn save_config(&self, expected: ConfigVersion, json: &str) -> StoreResult<ConfigVersion> {
        self.save_config_doc(expected, json)
    }

    fn append_audit(&self, entries: &[AuditEntry]) -> StoreResult<Vec<AuditId>> {
        self.append(entries)
    }

    fn query_audit(&self, query: &AuditQuery) -> StoreResult<Page<StoredEntry>> {
        self.audit_page(query)
    }

    fn count_audit(&self, filter: &AuditFilter) -> StoreResult<u64> {
        self.audit_count(filter)
    }

    fn scan_audit(
        &self,
        filter: &AuditFilter,
        visit: &mut dyn FnMut(&StoredEntry) -> StoreResult<()>,
    ) -> StoreResult<u64> {
        let mut n = 0;
        self.walk_audit(filter, None, &mut |e| {
            visit(&e)?;
            n += 1;
            Ok(true)
        })?;
        Ok(n)
    }

    fn purge_audit(
        &self,
        retention: Retention,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport> {
        self.purge(Some(retention), actor, now)
    }

    fn clear_audit(
        &self,
        _confirmation: ClearConfirmation,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport> {
        self.purge(None, actor, now)
    }

    fn create_run(&self, run: &NewRun) -> StoreResult<RunId> {
        self.new_run(run)
    }

    fn update_run(&self, id: RunId, update: &RunUpdate) -> StoreResult<OperationRun> {
        self.change_run(id, &mut |run| {
            run.apply(update);
            true
        })?
        .ok_or(StoreError::RunNotFound(id))
    }

    fn get_run(&self, id: RunId) -> StoreResult<Option<OperationRun>> {
        Ok(self.run_record(id)?.map(|(_, run)| run))
    }

    fn query_runs(&self, query: &RunQuery) -> StoreResult<Page<OperationRun>> {
        self.runs_page(query)
    }

    fn summary(&self, now: Millis) -> StoreResult<SummaryCards> {
        self.cards(now)
    }

    fn journal_plan(&self, run: RunId, plan: &JournaledPlan) -> StoreResult<()> {
        self.store_plan(run, plan)
    }

    fn record_outcome(&self, run: RunId, outcome: &ActionOutcome) -> StoreResult<bool> {
        self.store_outcome(run, outcome)
    }

    fn journal(&self, run: RunId) -> StoreResult<Option<RunJournal>> {
        self.load_journal(run)
    }

    fn pending_actions(&self, run: RunId) -> StoreResult<Vec<PlannedAction>> {
        self.pending(run)
    }

    fn mark_interrupted(&self, run: RunId, at: Millis) -> StoreResult<bool> {
        let mut was_running = false;
        self.change_run(run, &mut |r| {
            was_running = r.status == seatwarden_audit::RunStatus::InProgress;
            if was_running {
                r.status = seatwarden_audit::RunStatus::Interrupted;
                r.finished_at = Some(at);
            }
            was_running
        })?
        .ok_or(StoreError::RunNotFound(run))?;
        Ok(was_running)
    }

    fn record_before_states(&self, run: RunId, states: &[AccountState]) -> StoreResult<()> {
        self.store_before(run, states)
    }

    fn before_states(&self, run: RunId) -> StoreResult<Vec<AccountState>> {
        self.load_before(run)
    }

    fn enqueue_mail(&self, message: &NewOutboxMessage) -> StoreResult<Enqueued> {
        self.enqueue(message)
    }

    fn claim_due_mail(
        &self,
        now: Millis,
        limit: u32,
        claim: Duration,
    ) -> StoreResult<Vec<OutboxMessage>> {
        self.claim(now, limit, claim)
    }

    fn mark_mail_sent(&self, id: MailId, now: Millis) -> StoreResult<()> {
        self.finish_mail(id, &mut |m| {
            m.status = seatwarden_service::store::MailStatus::Sent;
            m.next_attempt_at = now;
            m.last_error = None;
        })
    }

    fn mark_mail_failed(
        &self,
        id: MailId,
        now: Millis,
        error: &str,
        retry_at: Option<Millis>,
    ) -> StoreResult<()> {
        self.finish_mail(id, &mut |m| {
            m.last_error = Some(error.to_owned());
            match retry_at {
                Some(at) => {
                    m.status = seatwarden_service::store::MailStatus::Queued;
                    m.next_attempt_at = at;
                }
                None => {
                    m.status = seatwarden_service::store::MailStatus::Failed;
                    m.next_attempt_at = now;
                }
            }
        })
    }

    fn retry_mail(&self, id: MailId, now: Millis) -> StoreResult<bool> {
        self.act_on_mail(id, seatwarden_service::store::MailStatus::Queued, now)
    }

    fn discard_mail(&self, id: MailId, now: Millis) -> StoreResult<bool> {
        self.act_on_mail(id, seatwarden_service::store::MailStatus::Discarded, now)
    }

    fn list_mail(&self, query: &OutboxQuery) -> StoreResult<Page<OutboxMessage>> {
        self.mail_page(query)
    }

    fn acquire_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<LeaseOutcome> {
        self.acquire(policy, owner, now, ttl)
    }

    fn renew_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>> {
        self.renew(policy, owner, now, ttl)
    }

    fn release_lease(&self, policy: &PolicyId, owner: &LeaseOwner) -> StoreResult<bool> {
        self.release(policy, owner)
    }

    fn put_licence_days(&self, days: &[LicenceDay], keep_from_day: i64) -> StoreResult<()> {
        self.put_days(days, keep_from_day)
    }

    fn licence_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<LicenceDay>> {
        self.days_between(from_day, to_day)
    }

    fn put_activity_days(&self, days: &[ActivityDay], keep_from_day: i64) -> StoreResult<()> {
        self.put_activity(days, keep_from_day)
    }

    fn activity_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<ActivityDay>> {
        self.activity_between(from_day, to_day)
    }

    fn claim_marker(&self, marker: &Marker, now: Millis) -> StoreResult<Option<Marker>> {
        self.claim_marker_row(marker, now)
    }

    fn put_marker(&self, marker: &Marker) -> StoreResult<()> {
        self.put_marker_row(marker)
    }

    fn replace_marker(&self, marker: &Marker, expected: &str, now: Millis) -> StoreResult<bool> {
        self.replace_marker_row(marker, expected, now)
    }

    fn marker(&self, kind: &str, key: &str, now: Millis) -> StoreResult<Option<Marker>> {
        self.marker_row(kind, key, now)
    }

    fn list_markers(&self, kind: &str, now: Millis) -> StoreResult<Vec<Marker>> {
        self.list_marker_rows(kind, now)
    }

    fn prune_markers(&self, kinds: &[&str], cutoff: Millis) -> StoreResult<u64> {
        self.prune_marker_rows(kinds, cutoff)
    }

    fn count_request(
        &self,
        c: &seatwarden_service::store::marker::RateCount<'_>,
    ) -> StoreResult<bool> {
        self.count_request_row(c)
    }

    fn list_exemptions(&self) -> StoreResult<Vec<seatwarden_core::exemption::Exemption>> {
        self.exemptions()
    }

    fn write_exemptions(
        &self,
        grant: &[seatwarden_core::exemption::Exemption],
        revoke: &[seatwarden_service::store::ExemptionKey],
    ) -> StoreResult<Vec<seatwarden_core::exemption::Exemption>> {
        self.write_exemption_rows(grant, revoke)
    }

    fn enqueue_review(
        &self,
        items: &[seatwarden_service::store::NewReviewItem],
    ) -> StoreResult<Vec<seatwarden_service::store::ReviewItem>> {
        self.enqueue_rows(items)
    }

    fn list_review(
        &self,
        filter: &seatwarden_service::store::ReviewFilter,
    ) -> StoreResult<Vec<seatwarden_service::store::ReviewItem>> {
        self.review_list(filter)
    }

    fn update_review(
        &self,
        changes: &[seatwarden_service::store::ReviewChange],
    ) -> StoreResult<Vec<seatwarden_service::store::ReviewItem>> {
        self.review_update(changes)
    }
}
