//! The in-memory Store: the reference implementation of the contract, used
//! by tests and by hosts that keep nothing between restarts (the JNI
//! in-memory host, demos).
//!
//! One mutex guards all state, so every method is atomic exactly as the
//! trait promises; callbacks ([`Store::scan_audit`] visitors) run with the
//! lock released, a page at a time, so a visitor may call back into the
//! store.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use parking_lot::Mutex;

use seatwarden_audit::query::SUMMARY_WINDOW_MS;
use seatwarden_audit::retention::PurgeScope;
use seatwarden_audit::{
    Actor, AuditEntry, AuditFilter, AuditId, AuditQuery, ClearConfirmation, Cursor, NewRun,
    OperationRun, Page, PolicyId, PurgeReport, Retention, RunId, RunQuery, RunStatus, RunUpdate,
    Status, StoredEntry, SummaryCards,
};
use seatwarden_core::{Millis, UserKey};

use super::config::validate_json;
use super::{
    AccountState, ActionKey, ActionOutcome, ActivityDay, ConfigDocument, ConfigVersion, Enqueued,
    JournaledPlan, Lease, LeaseOutcome, LeaseOwner, LicenceDay, MailId, MailStatus, Marker,
    NewOutboxMessage, OutboxMessage, OutboxQuery, PlannedAction, RunJournal, Store, StoreError,
    StoreResult, add_duration,
};

struct JournalState {
    plan: JournaledPlan,
    index: HashMap<(UserKey, ActionKey), usize>,
    outcomes: HashMap<usize, ActionOutcome>,
}

#[derive(Default)]
struct Inner {
    config: Option<ConfigDocument>,
    audit: BTreeMap<(Millis, i64), StoredEntry>,
    next_audit: i64,
    runs: BTreeMap<i64, OperationRun>,
    next_run: i64,
    journals: HashMap<RunId, JournalState>,
    before: HashMap<RunId, BTreeMap<UserKey, AccountState>>,
    mail: BTreeMap<i64, OutboxMessage>,
    dedup: HashMap<String, MailId>,
    next_mail: i64,
    leases: HashMap<PolicyId, Lease>,
    /// Licence history by (day, application).
    licence_days: BTreeMap<(i64, String), LicenceDay>,
    /// Activity trend by day.
    activity_days: BTreeMap<i64, ActivityDay>,
    markers: BTreeMap<(String, String), Marker>,
    exemptions: super::review::ExemptionTable,
    review: super::review::ReviewTable,
}

impl Inner {
    fn append(&mut self, entry: &AuditEntry) -> AuditId {
        self.next_audit += 1;
        let id = AuditId(self.next_audit);
        self.audit.insert(
            (entry.at, id.0),
            StoredEntry {
                id,
                entry: entry.clone(),
            },
        );
        id
    }

    fn page(&self, filter: &AuditFilter, after: Option<Cursor>, size: usize) -> Page<StoredEntry> {
        let kind = |r: RunId| self.runs.get(&r.0).map(|run| run.kind);
        let upper = after.map(|c| (c.at, c.id));
        let range = match upper {
            Some(u) => self.audit.range(..u),
            None => self.audit.range(..),
        };
        let mut items: Vec<StoredEntry> = range
            .rev()
            .map(|(_, e)| e)
            .filter(|e| filter.matches(e, &kind))
            .take(size + 1)
            .cloned()
            .collect();
        let next = if items.len() > size {
            items.truncate(size);
            items.last().map(|e| Cursor {
                at: e.entry.at,
                id: e.id.0,
            })
        } else {
            None
        };
        Page { items, next }
    }

    fn delete_runs(&mut self, doomed: &[i64]) {
        for id in doomed {
            self.runs.remove(id);
            self.journals.remove(&RunId(*id));
            self.before.remove(&RunId(*id));
        }
    }

    fn run_mut(&mut self, id: RunId) -> StoreResult<&mut OperationRun> {
        self.runs.get_mut(&id.0).ok_or(StoreError::RunNotFound(id))
    }
}

/// The in-memory Store.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// Moves message `id` to `status` (due at `now`) if it is queued or
    /// failed; `false` for one being sent, sent or discarded (unchanged).
    fn settle_actionable(&self, id: MailId, now: Millis, status: MailStatus) -> StoreResult<bool> {
        let mut inner = self.inner.lock();
        let m = inner
            .mail
            .get_mut(&id.0)
            .ok_or(StoreError::MailNotFound(id))?;
        if !m.is_actionable() {
            return Ok(false);
        }
        m.status = status;
        m.next_attempt_at = now;
        Ok(true)
    }

    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

fn paged<T>(mut items: Vec<T>, size: usize, key: impl Fn(&T) -> Cursor) -> Page<T> {
    let next = if items.len() > size {
        items.truncate(size);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next }
}

impl Store for MemoryStore {
    fn load_config(&self) -> StoreResult<Option<ConfigDocument>> {
        Ok(self.inner.lock().config.clone())
    }

    fn save_config(&self, expected: ConfigVersion, json: &str) -> StoreResult<ConfigVersion> {
        validate_json(json)?;
        let mut inner = self.inner.lock();
        let actual = inner
            .config
            .as_ref()
            .map_or(ConfigVersion::NONE, |c| c.version);
        if actual != expected {
            return Err(StoreError::Conflict { expected, actual });
        }
        let version = actual.next();
        inner.config = Some(ConfigDocument {
            version,
            json: json.to_owned(),
        });
        Ok(version)
    }

    fn append_audit(&self, entries: &[AuditEntry]) -> StoreResult<Vec<AuditId>> {
        let mut inner = self.inner.lock();
        Ok(entries.iter().map(|e| inner.append(e)).collect())
    }

    fn query_audit(&self, query: &AuditQuery) -> StoreResult<Page<StoredEntry>> {
        Ok(self
            .inner
            .lock()
            .page(&query.filter, query.after, query.page_size()))
    }

    fn count_audit(&self, filter: &AuditFilter) -> StoreResult<u64> {
        let inner = self.inner.lock();
        let kind = |r: RunId| inner.runs.get(&r.0).map(|run| run.kind);
        Ok(inner
            .audit
            .values()
            .filter(|e| filter.matches(e, &kind))
            .count() as u64)
    }

    fn scan_audit(
        &self,
        filter: &AuditFilter,
        visit: &mut dyn FnMut(&StoredEntry) -> StoreResult<()>,
    ) -> StoreResult<u64> {
        let mut after = None;
        let mut visited = 0;
        loop {
            let page = self.inner.lock().page(filter, after, 1_000);
            for e in &page.items {
                visit(e)?;
                visited += 1;
            }
            match page.next {
                Some(next) => after = Some(next),
                None => return Ok(visited),
            }
        }
    }

    fn purge_audit(
        &self,
        retention: Retention,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport> {
        let cutoff = retention.cutoff(now);
        let mut inner = self.inner.lock();
        let kept = inner.audit.split_off(&(cutoff, i64::MIN));
        let entries = inner.audit.len() as u64;
        inner.audit = kept;
        let doomed: Vec<i64> = inner
            .runs
            .values()
            // A run ages from its finish (one held for approval or long
            // stays revertible); an unfinished run never goes.
            .filter(|r| r.status.is_terminal() && r.finished_at.unwrap_or(r.started_at) < cutoff)
            .map(|r| r.id.0)
            .collect();
        inner.delete_runs(&doomed);
        let report = PurgeReport {
            entries,
            runs: doomed.len() as u64,
        };
        let scope = PurgeScope::OlderThan {
            days: retention.days,
        };
        inner.append(&report.audit_entry(scope, actor, now));
        Ok(report)
    }

    fn clear_audit(
        &self,
        _confirmation: ClearConfirmation,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport> {
        let mut inner = self.inner.lock();
        let entries = inner.audit.len() as u64;
        inner.audit.clear();
        let doomed: Vec<i64> = inner
            .runs
            .values()
            .filter(|r| r.status.is_terminal())
            .map(|r| r.id.0)
            .collect();
        inner.delete_runs(&doomed);
        let report = PurgeReport {
            entries,
            runs: doomed.len() as u64,
        };
        inner.append(&report.audit_entry(PurgeScope::All, actor, now));
        Ok(report)
    }

    fn create_run(&self, run: &NewRun) -> StoreResult<RunId> {
        let mut inner = self.inner.lock();
        inner.next_run += 1;
        let id = RunId(inner.next_run);
        inner.runs.insert(id.0, OperationRun::from_new(id, run));
        Ok(id)
    }

    fn update_run(&self, id: RunId, update: &RunUpdate) -> StoreResult<OperationRun> {
        let mut inner = self.inner.lock();
        let run = inner.run_mut(id)?;
        run.apply(update);
        Ok(run.clone())
    }

    fn get_run(&self, id: RunId) -> StoreResult<Option<OperationRun>> {
        Ok(self.inner.lock().runs.get(&id.0).cloned())
    }

    fn query_runs(&self, query: &RunQuery) -> StoreResult<Page<OperationRun>> {
        let inner = self.inner.lock();
        let mut items: Vec<OperationRun> = inner
            .runs
            .values()
            .filter(|r| query.filter.matches(r))
            .filter(|r| query.after.is_none_or(|c| c.admits(r.started_at, r.id.0)))
            .cloned()
            .collect();
        items.sort_by_key(|r| std::cmp::Reverse((r.started_at, r.id)));
        items.truncate(query.page_size() + 1);
        Ok(paged(items, query.page_size(), |r| Cursor {
            at: r.started_at,
            id: r.id.0,
        }))
    }

    fn summary(&self, now: Millis) -> StoreResult<SummaryCards> {
        let inner = self.inner.lock();
        let start = Millis(now.0.saturating_sub(SUMMARY_WINDOW_MS));
        let users: std::collections::HashSet<&UserKey> = inner
            .audit
            .range((start, i64::MIN)..=(now, i64::MAX))
            .filter(|(_, e)| e.entry.status == Status::Success)
            .filter_map(|(_, e)| e.entry.target.user.as_ref())
            .collect();
        Ok(SummaryCards::tally(
            now,
            inner.runs.values(),
            users.len() as u64,
        ))
    }

    fn journal_plan(&self, run: RunId, plan: &JournaledPlan) -> StoreResult<()> {
        let mut inner = self.inner.lock();
        inner.run_mut(run)?;
        if let Some(existing) = inner.journals.get(&run) {
            return if existing.plan == *plan {
                Ok(())
            } else {
                Err(StoreError::PlanMismatch(run))
            };
        }
        let mut index = HashMap::new();
        for (i, a) in plan.actions.iter().enumerate() {
            if index
                .insert((a.user.clone(), a.action.clone()), i)
                .is_some()
            {
                return Err(StoreError::DuplicateAction {
                    run,
                    user: a.user.to_string(),
                    action: a.action.to_string(),
                });
            }
        }
        inner.run_mut(run)?.plan_hash = Some(plan.hash.clone());
        inner.journals.insert(
            run,
            JournalState {
                plan: plan.clone(),
                index,
                outcomes: HashMap::new(),
            },
        );
        Ok(())
    }

    fn record_outcome(&self, run: RunId, outcome: &ActionOutcome) -> StoreResult<bool> {
        let mut inner = self.inner.lock();
        inner.run_mut(run)?;
        let journal = inner
            .journals
            .get_mut(&run)
            .ok_or(StoreError::NoPlan(run))?;
        let key = (outcome.user.clone(), outcome.action.clone());
        let Some(&i) = journal.index.get(&key) else {
            return Err(StoreError::UnknownAction {
                run,
                user: outcome.user.to_string(),
                action: outcome.action.to_string(),
            });
        };
        if journal.outcomes.contains_key(&i) {
            return Ok(false);
        }
        journal.outcomes.insert(i, outcome.clone());
        Ok(true)
    }

    fn journal(&self, run: RunId) -> StoreResult<Option<RunJournal>> {
        let inner = self.inner.lock();
        Ok(inner.journals.get(&run).map(|j| {
            let mut landed: Vec<(&usize, &ActionOutcome)> = j.outcomes.iter().collect();
            landed.sort_by_key(|(i, _)| **i);
            RunJournal {
                run,
                plan: j.plan.clone(),
                outcomes: landed.into_iter().map(|(_, o)| o.clone()).collect(),
            }
        }))
    }

    fn pending_actions(&self, run: RunId) -> StoreResult<Vec<PlannedAction>> {
        let inner = self.inner.lock();
        if !inner.runs.contains_key(&run.0) {
            return Err(StoreError::RunNotFound(run));
        }
        let j = inner.journals.get(&run).ok_or(StoreError::NoPlan(run))?;
        Ok(j.plan
            .actions
            .iter()
            .enumerate()
            .filter(|(i, _)| !j.outcomes.contains_key(i))
            .map(|(_, a)| a.clone())
            .collect())
    }

    fn mark_interrupted(&self, run: RunId, at: Millis) -> StoreResult<bool> {
        let mut inner = self.inner.lock();
        let r = inner.run_mut(run)?;
        if r.status != RunStatus::InProgress {
            return Ok(false);
        }
        r.status = RunStatus::Interrupted;
        r.finished_at = Some(at);
        Ok(true)
    }

    fn record_before_states(&self, run: RunId, states: &[AccountState]) -> StoreResult<()> {
        let mut inner = self.inner.lock();
        inner.run_mut(run)?;
        let map = inner.before.entry(run).or_default();
        for s in states {
            map.entry(s.user.clone()).or_insert_with(|| s.clone());
        }
        Ok(())
    }

    fn before_states(&self, run: RunId) -> StoreResult<Vec<AccountState>> {
        let inner = self.inner.lock();
        Ok(inner
            .before
            .get(&run)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default())
    }

    fn enqueue_mail(&self, message: &NewOutboxMessage) -> StoreResult<Enqueued> {
        let mut inner = self.inner.lock();
        if let Some(id) = inner.dedup.get(&message.dedup_key) {
            return Ok(Enqueued {
                id: *id,
                new: false,
            });
        }
        inner.next_mail += 1;
        let id = MailId(inner.next_mail);
        inner
            .mail
            .insert(id.0, OutboxMessage::from_new(id, message));
        inner.dedup.insert(message.dedup_key.clone(), id);
        Ok(Enqueued { id, new: true })
    }

    fn claim_due_mail(
        &self,
        now: Millis,
        limit: u32,
        claim: Duration,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let mut inner = self.inner.lock();
        let mut due: Vec<(Millis, i64)> = inner
            .mail
            .values()
            .filter(|m| m.is_due(now))
            .map(|m| (m.next_attempt_at, m.id.0))
            .collect();
        due.sort();
        due.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let until = add_duration(now, claim);
        let mut claimed = Vec::with_capacity(due.len());
        for (_, id) in due {
            if let Some(m) = inner.mail.get_mut(&id) {
                m.status = MailStatus::Sending;
                m.attempts = m.attempts.saturating_add(1);
                m.next_attempt_at = until;
                claimed.push(m.clone());
            }
        }
        Ok(claimed)
    }

    fn mark_mail_sent(&self, id: MailId, now: Millis) -> StoreResult<()> {
        let mut inner = self.inner.lock();
        let m = inner
            .mail
            .get_mut(&id.0)
            .ok_or(StoreError::MailNotFound(id))?;
        m.status = MailStatus::Sent;
        m.next_attempt_at = now;
        m.last_error = None;
        Ok(())
    }

    fn mark_mail_failed(
        &self,
        id: MailId,
        now: Millis,
        error: &str,
        retry_at: Option<Millis>,
    ) -> StoreResult<()> {
        let mut inner = self.inner.lock();
        let m = inner
            .mail
            .get_mut(&id.0)
            .ok_or(StoreError::MailNotFound(id))?;
        m.last_error = Some(error.to_owned());
        match retry_at {
            Some(at) => {
                m.status = MailStatus::Queued;
                m.next_attempt_at = at;
            }
            None => {
                m.status = MailStatus::Failed;
                m.next_attempt_at = now;
            }
        }
        Ok(())
    }

    fn retry_mail(&self, id: MailId, now: Millis) -> StoreResult<bool> {
        self.settle_actionable(id, now, MailStatus::Queued)
    }

    fn discard_mail(&self, id: MailId, now: Millis) -> StoreResult<bool> {
        self.settle_actionable(id, now, MailStatus::Discarded)
    }

    fn list_mail(&self, query: &OutboxQuery) -> StoreResult<Page<OutboxMessage>> {
        let inner = self.inner.lock();
        let mut items: Vec<OutboxMessage> = inner
            .mail
            .values()
            .filter(|m| query.matches(m))
            .filter(|m| query.after.is_none_or(|c| c.admits(m.created_at, m.id.0)))
            .cloned()
            .collect();
        items.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.id)));
        items.truncate(query.page_size() + 1);
        Ok(paged(items, query.page_size(), |m| Cursor {
            at: m.created_at,
            id: m.id.0,
        }))
    }

    fn acquire_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<LeaseOutcome> {
        let mut inner = self.inner.lock();
        if let Some(held) = inner.leases.get(policy) {
            if held.owner != *owner && held.expires_at > now {
                return Ok(LeaseOutcome::Held(held.clone()));
            }
        }
        let lease = Lease {
            policy: policy.clone(),
            owner: owner.clone(),
            expires_at: add_duration(now, ttl),
        };
        inner.leases.insert(policy.clone(), lease.clone());
        Ok(LeaseOutcome::Acquired(lease))
    }

    fn renew_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>> {
        let mut inner = self.inner.lock();
        match inner.leases.get_mut(policy) {
            Some(held) if held.owner == *owner => {
                held.expires_at = add_duration(now, ttl);
                Ok(Some(held.clone()))
            }
            _ => Ok(None),
        }
    }

    fn release_lease(&self, policy: &PolicyId, owner: &LeaseOwner) -> StoreResult<bool> {
        let mut inner = self.inner.lock();
        if inner.leases.get(policy).is_some_and(|l| l.owner == *owner) {
            inner.leases.remove(policy);
            return Ok(true);
        }
        Ok(false)
    }

    fn put_licence_days(&self, days: &[LicenceDay], keep_from_day: i64) -> StoreResult<()> {
        let mut inner = self.inner.lock();
        for d in days {
            inner
                .licence_days
                .insert((d.day, d.application.0.clone()), d.clone());
        }
        inner
            .licence_days
            .retain(|(day, _), _| *day >= keep_from_day);
        Ok(())
    }

    fn licence_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<LicenceDay>> {
        let inner = self.inner.lock();
        if from_day > to_day {
            return Ok(Vec::new());
        }
        Ok(inner
            .licence_days
            .range((from_day, String::new())..(to_day.saturating_add(1), String::new()))
            .map(|(_, d)| d.clone())
            .collect())
    }

    fn put_activity_days(&self, days: &[ActivityDay], keep_from_day: i64) -> StoreResult<()> {
        let mut inner = self.inner.lock();
        for d in days {
            inner.activity_days.insert(d.day, d.clone());
        }
        inner.activity_days.retain(|day, _| *day >= keep_from_day);
        Ok(())
    }

    fn activity_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<ActivityDay>> {
        if from_day > to_day {
            return Ok(Vec::new());
        }
        let inner = self.inner.lock();
        Ok(inner
            .activity_days
            .range(from_day..=to_day)
            .map(|(_, d)| d.clone())
            .collect())
    }

    fn claim_marker(&self, marker: &Marker, now: Millis) -> StoreResult<Option<Marker>> {
        let mut inner = self.inner.lock();
        // Lapsed markers of this kind go as claims pass (bounded by the
        // kind's live ones, so used links do not pile up forever).
        inner
            .markers
            .retain(|(kind, _), m| kind != &marker.kind || m.live(now));
        let key = (marker.kind.clone(), marker.key.clone());
        if let Some(existing) = inner.markers.get(&key) {
            return Ok(Some(existing.clone()));
        }
        inner.markers.insert(key, marker.clone());
        Ok(None)
    }

    fn put_marker(&self, marker: &Marker) -> StoreResult<()> {
        let key = (marker.kind.clone(), marker.key.clone());
        self.inner.lock().markers.insert(key, marker.clone());
        Ok(())
    }

    fn replace_marker(&self, marker: &Marker, expected: &str, now: Millis) -> StoreResult<bool> {
        // Look and write under one hold of the lock: no other writer of
        // this store can come between.
        let mut inner = self.inner.lock();
        let key = (marker.kind.clone(), marker.key.clone());
        match inner.markers.get_mut(&key) {
            Some(held) if held.live(now) && held.value == expected => {
                *held = marker.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn marker(&self, kind: &str, key: &str, now: Millis) -> StoreResult<Option<Marker>> {
        let inner = self.inner.lock();
        Ok(inner
            .markers
            .get(&(kind.to_owned(), key.to_owned()))
            .filter(|m| m.live(now))
            .cloned())
    }

    fn list_markers(&self, kind: &str, now: Millis) -> StoreResult<Vec<Marker>> {
        let inner = self.inner.lock();
        Ok(inner
            .markers
            .iter()
            .filter(|((k, _), m)| k == kind && m.live(now))
            .map(|(_, m)| m.clone())
            .collect())
    }

    fn prune_markers(&self, kinds: &[&str], cutoff: Millis) -> StoreResult<u64> {
        let mut inner = self.inner.lock();
        let before = inner.markers.len();
        inner
            .markers
            .retain(|(kind, _), m| !kinds.contains(&kind.as_str()) || m.expires_at > cutoff);
        Ok((before - inner.markers.len()) as u64)
    }

    fn count_request(&self, c: &super::marker::RateCount<'_>) -> StoreResult<bool> {
        let mut inner = self.inner.lock();
        inner
            .markers
            .retain(|(kind, _), m| kind != super::marker::RATE || m.live(c.now));
        let key = (super::marker::RATE.to_owned(), c.key());
        let count: u32 = inner
            .markers
            .get(&key)
            .and_then(|m| m.value.parse().ok())
            .unwrap_or(0);
        if count >= c.limit {
            return Ok(false);
        }
        let marker = Marker::new(&key.0, &key.1, (count + 1).to_string(), c.window_end);
        inner.markers.insert(key, marker);
        Ok(true)
    }

    fn list_exemptions(&self) -> StoreResult<Vec<seatwarden_core::exemption::Exemption>> {
        Ok(self.inner.lock().exemptions.list())
    }

    fn write_exemptions(
        &self,
        grant: &[seatwarden_core::exemption::Exemption],
        revoke: &[super::ExemptionKey],
    ) -> StoreResult<Vec<seatwarden_core::exemption::Exemption>> {
        Ok(self.inner.lock().exemptions.write(grant, revoke))
    }

    fn enqueue_review(
        &self,
        items: &[super::NewReviewItem],
    ) -> StoreResult<Vec<super::ReviewItem>> {
        Ok(self.inner.lock().review.enqueue(items))
    }

    fn list_review(&self, filter: &super::ReviewFilter) -> StoreResult<Vec<super::ReviewItem>> {
        Ok(self.inner.lock().review.list(filter))
    }

    fn update_review(
        &self,
        changes: &[super::ReviewChange],
    ) -> StoreResult<Vec<super::ReviewItem>> {
        Ok(self.inner.lock().review.update(changes))
    }
}
