//! Configuration, run journals, undo records, the mail outbox and leases
//! over the record tables: the parts that need a compare-and-set or a
//! unique key to be safe across nodes.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use seatwarden_audit::{Cursor, Page, PolicyId, RunId};
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::store::config::validate_json;
use seatwarden_service::store::{
    AccountState, ActionOutcome, ConfigDocument, ConfigVersion, Enqueued, JournaledPlan, Lease,
    LeaseOutcome, LeaseOwner, MailId, MailStatus, NewOutboxMessage, OutboxMessage, OutboxQuery,
    PlannedAction, RunJournal, StoreError, StoreResult, add_duration,
};

use super::audit::paged;
use super::{CAS_ATTEMPTS, PlanIndex, RecordStore, backend_err, contention, decode, encode};
use crate::backend::{BackendError, NewRecord, Order, Record, RecordBackend, Scan, Table};

/// The configuration row's key.
const CONFIG_KEY: &str = "config";

/// A lease row's body. Releasing keeps the row with no owner (a delete
/// could not be made conditional on the revision, and would race with a
/// new holder).
#[derive(Serialize, Deserialize)]
struct LeaseBody {
    owner: Option<LeaseOwner>,
    expires_at: Millis,
}

/// An outcome's unique key: run, user and action, unambiguous whatever the
/// user key or action key contain.
fn outcome_key(run: RunId, outcome_user: &UserKey, action: &str) -> StoreResult<String> {
    encode(&(run.0, outcome_user.as_str(), action))
}

/// A before-state's unique key: run and user.
fn before_key(run: RunId, user: &UserKey) -> StoreResult<String> {
    encode(&(run.0, user.as_str()))
}

fn version(revision: i64) -> ConfigVersion {
    ConfigVersion(u64::try_from(revision).unwrap_or(0))
}

fn mail_of(r: &Record) -> StoreResult<OutboxMessage> {
    let mut m: OutboxMessage = decode(Table::Outbox, r)?;
    m.id = MailId(r.id);
    Ok(m)
}

fn status_name(s: MailStatus) -> &'static str {
    match s {
        MailStatus::Queued => "queued",
        MailStatus::Sending => "sending",
        MailStatus::Sent => "sent",
        MailStatus::Failed => "failed",
        MailStatus::Discarded => "discarded",
    }
}

fn outcome_name(s: seatwarden_service::store::OutcomeStatus) -> &'static str {
    use seatwarden_service::store::OutcomeStatus;
    match s {
        OutcomeStatus::Succeeded => "succeeded",
        OutcomeStatus::Failed => "failed",
        OutcomeStatus::Skipped => "skipped",
    }
}

impl<B: RecordBackend + ?Sized> RecordStore<B> {
    // ---- configuration ----

    pub(super) fn load_config_doc(&self) -> StoreResult<Option<ConfigDocument>> {
        Ok(self
            .backend
            .get(Table::Config, CONFIG_KEY)
            .map_err(backend_err)?
            .map(|r| ConfigDocument {
                version: version(r.revision),
                json: r.body,
            }))
    }

    pub(super) fn save_config_doc(
        &self,
        expected: ConfigVersion,
        json: &str,
    ) -> StoreResult<ConfigVersion> {
        validate_json(json)?;
        let conflict = |actual| StoreError::Conflict { expected, actual };
        let current = || -> StoreResult<ConfigVersion> {
            Ok(self
                .load_config_doc()?
                .map_or(ConfigVersion::NONE, |d| d.version))
        };
        if expected == ConfigVersion::NONE {
            let row = NewRecord {
                key: Some(CONFIG_KEY.to_owned()),
                group: None,
                time: Millis(0),
                kind: None,
                body: json.to_owned(),
            };
            return match self.backend.insert(Table::Config, &[row]) {
                Ok(_) => Ok(version(1)),
                Err(BackendError::DuplicateKey { .. }) => Err(conflict(current()?)),
                Err(e) => Err(backend_err(e)),
            };
        }
        let Some(row) = self
            .backend
            .get(Table::Config, CONFIG_KEY)
            .map_err(backend_err)?
        else {
            return Err(conflict(ConfigVersion::NONE));
        };
        if version(row.revision) != expected {
            return Err(conflict(version(row.revision)));
        }
        match self
            .backend
            .update(Table::Config, row.id, row.revision, row.time, None, json)
            .map_err(backend_err)?
        {
            Some(revision) => Ok(version(revision)),
            None => Err(conflict(current()?)),
        }
    }

    // ---- run journal ----

    /// The run's journaled plan with its index: cached (a journaled plan
    /// never changes), else read.
    fn plan_index(&self, run: RunId) -> StoreResult<Option<Arc<PlanIndex>>> {
        if let Some(p) = self.plans.lock().get(&run) {
            return Ok(Some(Arc::clone(p)));
        }
        let Some(row) = self
            .backend
            .get(Table::Journal, &run.0.to_string())
            .map_err(backend_err)?
        else {
            return Ok(None);
        };
        let plan: JournaledPlan = decode(Table::Journal, &row)?;
        let index = plan
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| ((a.user.clone(), a.action.clone()), i))
            .collect();
        let entry = Arc::new(PlanIndex { plan, index });
        let mut plans = self.plans.lock();
        // A small cache: a node works on a handful of runs at a time.
        if plans.len() >= 64 {
            plans.clear();
        }
        plans.insert(run, Arc::clone(&entry));
        Ok(Some(entry))
    }

    pub(super) fn store_plan(&self, run: RunId, plan: &JournaledPlan) -> StoreResult<()> {
        let (_, stored_run) = self.run_record(run)?.ok_or(StoreError::RunNotFound(run))?;
        if let Some(existing) = self.plan_index(run)? {
            return if existing.plan == *plan {
                // A resumed run journals again: also finish a journaling that
                // stopped before the hash reached the run.
                self.stamp_hash(run, plan)
            } else {
                Err(StoreError::PlanMismatch(run))
            };
        }
        let mut seen = HashSet::new();
        for a in &plan.actions {
            if !seen.insert((&a.user, &a.action)) {
                return Err(StoreError::DuplicateAction {
                    run,
                    user: a.user.to_string(),
                    action: a.action.to_string(),
                });
            }
        }
        let row = NewRecord {
            key: Some(run.0.to_string()),
            group: Some(run.0),
            time: stored_run.started_at,
            kind: None,
            body: encode(plan)?,
        };
        match self.backend.insert(Table::Journal, &[row]) {
            Ok(_) => {}
            // Journaled by someone else meanwhile: the same plan is fine.
            Err(BackendError::DuplicateKey { .. }) => {
                let same = self.plan_index(run)?.is_some_and(|p| p.plan == *plan);
                if !same {
                    return Err(StoreError::PlanMismatch(run));
                }
            }
            Err(e) => return Err(backend_err(e)),
        }
        self.stamp_hash(run, plan)
    }

    fn stamp_hash(&self, run: RunId, plan: &JournaledPlan) -> StoreResult<()> {
        self.change_run(run, &mut |r| {
            if r.plan_hash.as_ref() == Some(&plan.hash) {
                return false;
            }
            r.plan_hash = Some(plan.hash.clone());
            true
        })?
        .ok_or(StoreError::RunNotFound(run))?;
        Ok(())
    }

    pub(super) fn store_outcome(&self, run: RunId, outcome: &ActionOutcome) -> StoreResult<bool> {
        self.run_record(run)?.ok_or(StoreError::RunNotFound(run))?;
        let plan = self.plan_index(run)?.ok_or(StoreError::NoPlan(run))?;
        if !plan
            .index
            .contains_key(&(outcome.user.clone(), outcome.action.clone()))
        {
            return Err(StoreError::UnknownAction {
                run,
                user: outcome.user.to_string(),
                action: outcome.action.to_string(),
            });
        }
        let row = NewRecord {
            key: Some(outcome_key(run, &outcome.user, outcome.action.as_str())?),
            group: Some(run.0),
            time: outcome.at,
            kind: Some(outcome_name(outcome.status).to_owned()),
            body: encode(outcome)?,
        };
        match self.backend.insert(Table::Outcomes, &[row]) {
            Ok(_) => Ok(true),
            Err(BackendError::DuplicateKey { .. }) => Ok(false),
            Err(e) => Err(backend_err(e)),
        }
    }

    /// The outcomes recorded for a run, by plan position.
    fn outcomes(&self, run: RunId, plan: &PlanIndex) -> StoreResult<Vec<(usize, ActionOutcome)>> {
        let rows = self.scan_all(
            Table::Outcomes,
            &Scan {
                group: Some(run.0),
                ..Scan::default()
            },
        )?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let o: ActionOutcome = decode(Table::Outcomes, r)?;
            if let Some(&i) = plan.index.get(&(o.user.clone(), o.action.clone())) {
                out.push((i, o));
            }
        }
        out.sort_by_key(|(i, _)| *i);
        Ok(out)
    }

    pub(super) fn load_journal(&self, run: RunId) -> StoreResult<Option<RunJournal>> {
        let Some(plan) = self.plan_index(run)? else {
            return Ok(None);
        };
        let outcomes = self.outcomes(run, &plan)?;
        Ok(Some(RunJournal {
            run,
            plan: plan.plan.clone(),
            outcomes: outcomes.into_iter().map(|(_, o)| o).collect(),
        }))
    }

    pub(super) fn pending(&self, run: RunId) -> StoreResult<Vec<PlannedAction>> {
        self.run_record(run)?.ok_or(StoreError::RunNotFound(run))?;
        let plan = self.plan_index(run)?.ok_or(StoreError::NoPlan(run))?;
        let landed: HashSet<usize> = self
            .outcomes(run, &plan)?
            .into_iter()
            .map(|(i, _)| i)
            .collect();
        Ok(plan
            .plan
            .actions
            .iter()
            .enumerate()
            .filter(|(i, _)| !landed.contains(i))
            .map(|(_, a)| a.clone())
            .collect())
    }

    // ---- undo ----

    pub(super) fn store_before(&self, run: RunId, states: &[AccountState]) -> StoreResult<()> {
        let (_, stored_run) = self.run_record(run)?.ok_or(StoreError::RunNotFound(run))?;
        if states.is_empty() {
            return Ok(());
        }
        let known: HashSet<UserKey> = self.load_before(run)?.into_iter().map(|s| s.user).collect();
        let mut batch_users = HashSet::new();
        let mut rows = Vec::new();
        for s in states {
            // The first state per user wins, within a call as across calls.
            if known.contains(&s.user) || !batch_users.insert(&s.user) {
                continue;
            }
            rows.push(NewRecord {
                key: Some(before_key(run, &s.user)?),
                group: Some(run.0),
                time: stored_run.started_at,
                kind: None,
                body: encode(s)?,
            });
        }
        match self.backend.insert(Table::BeforeStates, &rows) {
            Ok(_) => Ok(()),
            // Another writer recorded some of these meanwhile: keep theirs,
            // add the rest one by one.
            Err(BackendError::DuplicateKey { .. }) => {
                for row in rows {
                    match self.backend.insert(Table::BeforeStates, &[row]) {
                        Ok(_) | Err(BackendError::DuplicateKey { .. }) => {}
                        Err(e) => return Err(backend_err(e)),
                    }
                }
                Ok(())
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    pub(super) fn load_before(&self, run: RunId) -> StoreResult<Vec<AccountState>> {
        let rows = self.scan_all(
            Table::BeforeStates,
            &Scan {
                group: Some(run.0),
                ..Scan::default()
            },
        )?;
        let mut states = rows
            .iter()
            .map(|r| decode::<AccountState>(Table::BeforeStates, r))
            .collect::<StoreResult<Vec<_>>>()?;
        states.sort_by(|a, b| a.user.cmp(&b.user));
        Ok(states)
    }

    // ---- mail outbox ----

    pub(super) fn enqueue(&self, message: &NewOutboxMessage) -> StoreResult<Enqueued> {
        let m = OutboxMessage::from_new(MailId(0), message);
        let row = NewRecord {
            key: Some(message.dedup_key.clone()),
            group: None,
            time: m.next_attempt_at,
            kind: Some(status_name(m.status).to_owned()),
            body: encode(&m)?,
        };
        match self.backend.insert(Table::Outbox, &[row]) {
            Ok(ids) => Ok(Enqueued {
                id: MailId(ids.first().copied().ok_or_else(|| {
                    StoreError::Corrupt("table `outbox` answered no id".to_owned())
                })?),
                new: true,
            }),
            Err(BackendError::DuplicateKey { .. }) => {
                let existing = self
                    .backend
                    .get(Table::Outbox, &message.dedup_key)
                    .map_err(backend_err)?
                    .ok_or_else(|| {
                        StoreError::Backend(
                            "table `outbox` refused a duplicate key it does not hold".to_owned(),
                        )
                    })?;
                Ok(Enqueued {
                    id: MailId(existing.id),
                    new: false,
                })
            }
            Err(e) => Err(backend_err(e)),
        }
    }

    /// Writes a changed message over `row` if its revision is still current.
    fn put_mail(&self, row: &Record, m: &OutboxMessage) -> StoreResult<bool> {
        Ok(self
            .backend
            .update(
                Table::Outbox,
                row.id,
                row.revision,
                m.next_attempt_at,
                Some(status_name(m.status)),
                &encode(m)?,
            )
            .map_err(backend_err)?
            .is_some())
    }

    pub(super) fn claim(
        &self,
        now: Millis,
        limit: u32,
        claim: Duration,
    ) -> StoreResult<Vec<OutboxMessage>> {
        let due = Scan {
            kinds: vec![
                status_name(MailStatus::Queued).to_owned(),
                status_name(MailStatus::Sending).to_owned(),
            ],
            time_to: Some(Millis(now.0.saturating_add(1))),
            ..Scan::default()
        };
        let mut candidates = Vec::new();
        for r in self.scan_all(Table::Outbox, &due)? {
            let m = mail_of(&r)?;
            if m.is_due(now) {
                candidates.push((m.next_attempt_at, r.id));
            }
        }
        candidates.sort();
        let until = add_duration(now, claim);
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut claimed = Vec::new();
        for (_, id) in candidates {
            if claimed.len() >= limit {
                break;
            }
            // A lost race means another worker claimed (or finished) it:
            // re-read, and take it only if it is still due.
            for _ in 0..CAS_ATTEMPTS {
                let Some(row) = self
                    .backend
                    .get_by_id(Table::Outbox, id)
                    .map_err(backend_err)?
                else {
                    break;
                };
                let mut m = mail_of(&row)?;
                if !m.is_due(now) {
                    break;
                }
                m.status = MailStatus::Sending;
                m.attempts = m.attempts.saturating_add(1);
                m.next_attempt_at = until;
                if self.put_mail(&row, &m)? {
                    claimed.push(m);
                    break;
                }
            }
        }
        Ok(claimed)
    }

    pub(super) fn finish_mail(
        &self,
        id: MailId,
        change: &mut dyn FnMut(&mut OutboxMessage),
    ) -> StoreResult<()> {
        for _ in 0..CAS_ATTEMPTS {
            let row = self
                .backend
                .get_by_id(Table::Outbox, id.0)
                .map_err(backend_err)?
                .ok_or(StoreError::MailNotFound(id))?;
            let mut m = mail_of(&row)?;
            change(&mut m);
            if self.put_mail(&row, &m)? {
                return Ok(());
            }
        }
        Err(contention(Table::Outbox))
    }

    /// An administrator's retry (`to` queued) or discard: only a queued or
    /// failed message changes; the compare-and-set makes a worker's claim in
    /// between win (the retry then sees `sending` and changes nothing).
    pub(super) fn act_on_mail(&self, id: MailId, to: MailStatus, now: Millis) -> StoreResult<bool> {
        for _ in 0..CAS_ATTEMPTS {
            let row = self
                .backend
                .get_by_id(Table::Outbox, id.0)
                .map_err(backend_err)?
                .ok_or(StoreError::MailNotFound(id))?;
            let mut m = mail_of(&row)?;
            if !m.is_actionable() {
                return Ok(false);
            }
            m.status = to;
            m.next_attempt_at = now;
            if self.put_mail(&row, &m)? {
                return Ok(true);
            }
        }
        Err(contention(Table::Outbox))
    }

    pub(super) fn mail_page(&self, query: &OutboxQuery) -> StoreResult<Page<OutboxMessage>> {
        let size = query.page_size();
        let scan = Scan {
            kinds: query
                .statuses
                .iter()
                .map(|s| status_name(*s).to_owned())
                .collect(),
            order: Order::Descending,
            ..Scan::default()
        };
        let mut items = Vec::new();
        self.scan_chunks(Table::Outbox, &scan, &mut |chunk| {
            for r in &chunk {
                let m = mail_of(r)?;
                if query.matches(&m) && query.after.is_none_or(|c| c.admits(m.created_at, m.id.0)) {
                    items.push(m);
                }
            }
            Ok(())
        })?;
        items.sort_by_key(|m| std::cmp::Reverse((m.created_at, m.id)));
        items.truncate(size + 1);
        Ok(paged(items, size, |m| Cursor {
            at: m.created_at,
            id: m.id.0,
        }))
    }

    // ---- leases ----

    /// The lease row of a policy and its body.
    ///
    /// Markers share this table under keys `marker:<kind>:<key>` (see
    /// `markers`). Lease keys are `run:<id>`, `policy:<id>` and the like,
    /// never `marker:…`; this check makes that a property of the store
    /// rather than of its callers: a lease can never read or overwrite a
    /// marker row.
    fn lease_row(&self, policy: &PolicyId) -> StoreResult<Option<(Record, LeaseBody)>> {
        if policy.as_str().starts_with("marker:") {
            return Err(StoreError::Corrupt(
                "a lease key cannot start with `marker:` (that key space is the markers')"
                    .to_owned(),
            ));
        }
        match self
            .backend
            .get(Table::Leases, policy.as_str())
            .map_err(backend_err)?
        {
            Some(r) => {
                let body = decode(Table::Leases, &r)?;
                Ok(Some((r, body)))
            }
            None => Ok(None),
        }
    }

    fn put_lease(&self, row: &Record, body: &LeaseBody) -> StoreResult<bool> {
        Ok(self
            .backend
            .update(
                Table::Leases,
                row.id,
                row.revision,
                body.expires_at,
                None,
                &encode(body)?,
            )
            .map_err(backend_err)?
            .is_some())
    }

    pub(super) fn acquire(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<LeaseOutcome> {
        let lease = Lease {
            policy: policy.clone(),
            owner: owner.clone(),
            expires_at: add_duration(now, ttl),
        };
        let body = LeaseBody {
            owner: Some(owner.clone()),
            expires_at: lease.expires_at,
        };
        for _ in 0..CAS_ATTEMPTS {
            match self.lease_row(policy)? {
                None => {
                    let row = NewRecord {
                        key: Some(policy.as_str().to_owned()),
                        group: None,
                        time: body.expires_at,
                        kind: None,
                        body: encode(&body)?,
                    };
                    match self.backend.insert(Table::Leases, &[row]) {
                        Ok(_) => return Ok(LeaseOutcome::Acquired(lease)),
                        // Someone created it first: look again.
                        Err(BackendError::DuplicateKey { .. }) => {}
                        Err(e) => return Err(backend_err(e)),
                    }
                }
                Some((row, held)) => {
                    if let Some(holder) = held.owner.filter(|o| o != owner) {
                        if held.expires_at > now {
                            return Ok(LeaseOutcome::Held(Lease {
                                policy: policy.clone(),
                                owner: holder,
                                expires_at: held.expires_at,
                            }));
                        }
                    }
                    if self.put_lease(&row, &body)? {
                        return Ok(LeaseOutcome::Acquired(lease));
                    }
                }
            }
        }
        Err(contention(Table::Leases))
    }

    pub(super) fn renew(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>> {
        let expires_at = add_duration(now, ttl);
        for _ in 0..CAS_ATTEMPTS {
            let Some((row, held)) = self.lease_row(policy)? else {
                return Ok(None);
            };
            if held.owner.as_ref() != Some(owner) {
                return Ok(None);
            }
            let body = LeaseBody {
                owner: Some(owner.clone()),
                expires_at,
            };
            if self.put_lease(&row, &body)? {
                return Ok(Some(Lease {
                    policy: policy.clone(),
                    owner: owner.clone(),
                    expires_at,
                }));
            }
        }
        Err(contention(Table::Leases))
    }

    pub(super) fn release(&self, policy: &PolicyId, owner: &LeaseOwner) -> StoreResult<bool> {
        for _ in 0..CAS_ATTEMPTS {
            let Some((row, held)) = self.lease_row(policy)? else {
                return Ok(false);
            };
            if held.owner.as_ref() != Some(owner) {
                return Ok(false);
            }
            let free = LeaseBody {
                owner: None,
                expires_at: Millis(i64::MIN),
            };
            if self.put_lease(&row, &free)? {
                return Ok(true);
            }
        }
        Err(contention(Table::Leases))
    }
}
