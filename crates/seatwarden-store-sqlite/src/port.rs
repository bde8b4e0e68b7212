//! `impl Store for SqliteStore`: each method is one transaction (immediate
//! for writes) around the SQL in `audit` and `work`.

use std::time::Duration;

use seatwarden_audit::retention::PurgeScope;
use seatwarden_audit::{
    Actor, AuditEntry, AuditFilter, AuditId, AuditQuery, ClearConfirmation, NewRun, OperationRun,
    Page, PolicyId, PurgeReport, Retention, RunId, RunQuery, RunUpdate, StoredEntry, SummaryCards,
};
use seatwarden_core::Millis;
use seatwarden_service::store::{
    AccountState, ActionOutcome, ActivityDay, ConfigDocument, ConfigVersion, Enqueued,
    JournaledPlan, Lease, LeaseOutcome, LeaseOwner, LicenceDay, MailId, MailStatus, Marker,
    NewOutboxMessage, OutboxMessage, OutboxQuery, PlannedAction, RunJournal, Store, StoreResult,
};
use seatwarden_service::store::{
    ExemptionKey, NewReviewItem, ReviewChange, ReviewFilter, ReviewItem,
};

use crate::{SqliteStore, audit, backend, history, markers, people, work};
use seatwarden_service::store::marker::RateCount;

impl Store for SqliteStore {
    fn load_config(&self) -> StoreResult<Option<ConfigDocument>> {
        self.read(work::load_config)
    }

    fn save_config(&self, expected: ConfigVersion, json: &str) -> StoreResult<ConfigVersion> {
        self.write(|tx| work::save_config(tx, expected, json))
    }

    fn append_audit(&self, entries: &[AuditEntry]) -> StoreResult<Vec<AuditId>> {
        self.write(|tx| audit::append(tx, entries))
    }

    fn query_audit(&self, query: &AuditQuery) -> StoreResult<Page<StoredEntry>> {
        self.read(|c| audit::query(c, query))
    }

    fn count_audit(&self, filter: &AuditFilter) -> StoreResult<u64> {
        self.read(|c| audit::count(c, filter))
    }

    fn scan_audit(
        &self,
        filter: &AuditFilter,
        visit: &mut dyn FnMut(&StoredEntry) -> StoreResult<()>,
    ) -> StoreResult<u64> {
        self.read(|c| audit::scan(c, filter, visit))
    }

    fn export_audit_csv(
        &self,
        filter: &AuditFilter,
        out: &mut dyn std::io::Write,
    ) -> StoreResult<u64> {
        self.read(|c| audit::export_csv(c, filter, out))
    }

    fn purge_audit(
        &self,
        retention: Retention,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport> {
        let cutoff = retention.cutoff(now);
        self.write(|tx| {
            let entries = tx
                .execute("DELETE FROM audit WHERE at < ?1", [cutoff.0])
                .map_err(backend)?;
            // A run ages from its finish, so one held for approval or long
            // stays revertible (see `Store::purge_audit`).
            let runs = audit::delete_finished_runs(
                tx,
                "COALESCE(finished_at, started_at) < ?",
                &[cutoff.0],
            )?;
            let report = PurgeReport {
                entries: entries as u64,
                runs,
            };
            let scope = PurgeScope::OlderThan {
                days: retention.days,
            };
            audit::append(tx, &[report.audit_entry(scope, actor, now)])?;
            Ok(report)
        })
    }

    fn clear_audit(
        &self,
        _confirmation: ClearConfirmation,
        actor: Actor,
        now: Millis,
    ) -> StoreResult<PurgeReport> {
        self.write(|tx| {
            let entries = tx.execute("DELETE FROM audit", []).map_err(backend)?;
            // An empty log is in order again (see schema migration 2).
            tx.execute("UPDATE audit_order SET out_of_order = 0 WHERE id = 1", [])
                .map_err(backend)?;
            let runs = audit::delete_finished_runs(tx, "1 = 1", &[])?;
            let report = PurgeReport {
                entries: entries as u64,
                runs,
            };
            audit::append(tx, &[report.audit_entry(PurgeScope::All, actor, now)])?;
            Ok(report)
        })
    }

    fn create_run(&self, run: &NewRun) -> StoreResult<RunId> {
        self.write(|tx| audit::create_run(tx, run))
    }

    fn update_run(&self, id: RunId, update: &RunUpdate) -> StoreResult<OperationRun> {
        self.write(|tx| audit::update_run(tx, id, update))
    }

    fn get_run(&self, id: RunId) -> StoreResult<Option<OperationRun>> {
        self.read(|c| audit::get_run(c, id))
    }

    fn query_runs(&self, query: &RunQuery) -> StoreResult<Page<OperationRun>> {
        self.read(|c| audit::query_runs(c, query))
    }

    fn summary(&self, now: Millis) -> StoreResult<SummaryCards> {
        self.read(|c| audit::summary(c, now))
    }

    fn journal_plan(&self, run: RunId, plan: &JournaledPlan) -> StoreResult<()> {
        self.write(|tx| work::journal_plan(tx, run, plan))
    }

    fn record_outcome(&self, run: RunId, outcome: &ActionOutcome) -> StoreResult<bool> {
        self.write(|tx| work::record_outcome(tx, run, outcome))
    }

    fn journal(&self, run: RunId) -> StoreResult<Option<RunJournal>> {
        self.read(|c| work::journal(c, run))
    }

    fn pending_actions(&self, run: RunId) -> StoreResult<Vec<PlannedAction>> {
        self.read(|c| work::pending(c, run))
    }

    fn mark_interrupted(&self, run: RunId, at: Millis) -> StoreResult<bool> {
        self.write(|tx| work::mark_interrupted(tx, run, at))
    }

    fn record_before_states(&self, run: RunId, states: &[AccountState]) -> StoreResult<()> {
        self.write(|tx| work::record_before(tx, run, states))
    }

    fn before_states(&self, run: RunId) -> StoreResult<Vec<AccountState>> {
        self.read(|c| work::before_states(c, run))
    }

    fn enqueue_mail(&self, message: &NewOutboxMessage) -> StoreResult<Enqueued> {
        self.write(|tx| work::enqueue(tx, message))
    }

    fn claim_due_mail(
        &self,
        now: Millis,
        limit: u32,
        claim: Duration,
    ) -> StoreResult<Vec<OutboxMessage>> {
        self.write(|tx| work::claim_due(tx, now, limit, claim))
    }

    fn mark_mail_sent(&self, id: MailId, now: Millis) -> StoreResult<()> {
        self.write(|tx| work::mark_mail(tx, id, MailStatus::Sent, now, None))
    }

    fn mark_mail_failed(
        &self,
        id: MailId,
        now: Millis,
        error: &str,
        retry_at: Option<Millis>,
    ) -> StoreResult<()> {
        self.write(|tx| match retry_at {
            Some(at) => work::mark_mail(tx, id, MailStatus::Queued, at, Some(error)),
            None => work::mark_mail(tx, id, MailStatus::Failed, now, Some(error)),
        })
    }

    fn retry_mail(&self, id: MailId, now: Millis) -> StoreResult<bool> {
        self.write(|tx| work::act_on_mail(tx, id, MailStatus::Queued, now))
    }

    fn discard_mail(&self, id: MailId, now: Millis) -> StoreResult<bool> {
        self.write(|tx| work::act_on_mail(tx, id, MailStatus::Discarded, now))
    }

    fn list_mail(&self, query: &OutboxQuery) -> StoreResult<Page<OutboxMessage>> {
        self.read(|c| work::list_mail(c, query))
    }

    fn acquire_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<LeaseOutcome> {
        self.write(|tx| work::acquire(tx, policy, owner, now, ttl))
    }

    fn renew_lease(
        &self,
        policy: &PolicyId,
        owner: &LeaseOwner,
        now: Millis,
        ttl: Duration,
    ) -> StoreResult<Option<Lease>> {
        self.write(|tx| work::renew(tx, policy, owner, now, ttl))
    }

    fn release_lease(&self, policy: &PolicyId, owner: &LeaseOwner) -> StoreResult<bool> {
        self.write(|tx| work::release(tx, policy, owner))
    }

    fn put_licence_days(&self, days: &[LicenceDay], keep_from_day: i64) -> StoreResult<()> {
        self.write(|tx| history::put(tx, days, keep_from_day))
    }

    fn licence_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<LicenceDay>> {
        self.read(|conn| history::range(conn, from_day, to_day))
    }

    fn put_activity_days(&self, days: &[ActivityDay], keep_from_day: i64) -> StoreResult<()> {
        self.write(|tx| history::put_activity(tx, days, keep_from_day))
    }

    fn activity_history(&self, from_day: i64, to_day: i64) -> StoreResult<Vec<ActivityDay>> {
        self.read(|conn| history::activity_range(conn, from_day, to_day))
    }

    fn claim_marker(&self, marker: &Marker, now: Millis) -> StoreResult<Option<Marker>> {
        self.write(|tx| markers::claim(tx, marker, now))
    }

    fn put_marker(&self, marker: &Marker) -> StoreResult<()> {
        self.write(|tx| markers::put(tx, marker))
    }

    fn replace_marker(&self, marker: &Marker, expected: &str, now: Millis) -> StoreResult<bool> {
        self.write(|tx| markers::replace(tx, marker, expected, now))
    }

    fn marker(&self, kind: &str, key: &str, now: Millis) -> StoreResult<Option<Marker>> {
        self.read(|c| markers::get(c, kind, key, now))
    }

    fn list_markers(&self, kind: &str, now: Millis) -> StoreResult<Vec<Marker>> {
        self.read(|c| markers::list(c, kind, now))
    }

    fn prune_markers(&self, kinds: &[&str], cutoff: Millis) -> StoreResult<u64> {
        self.write(|tx| markers::prune(tx, kinds, cutoff))
    }

    fn count_request(&self, c: &RateCount<'_>) -> StoreResult<bool> {
        self.write(|tx| markers::count(tx, c))
    }

    fn list_exemptions(&self) -> StoreResult<Vec<seatwarden_core::exemption::Exemption>> {
        self.read(people::list_exemptions)
    }

    fn write_exemptions(
        &self,
        grant: &[seatwarden_core::exemption::Exemption],
        revoke: &[ExemptionKey],
    ) -> StoreResult<Vec<seatwarden_core::exemption::Exemption>> {
        self.write(|tx| people::write_exemptions(tx, grant, revoke))
    }

    fn enqueue_review(&self, items: &[NewReviewItem]) -> StoreResult<Vec<ReviewItem>> {
        self.write(|tx| people::enqueue(tx, items))
    }

    fn list_review(&self, filter: &ReviewFilter) -> StoreResult<Vec<ReviewItem>> {
        self.read(|c| people::list_review(c, filter))
    }

    fn update_review(&self, changes: &[ReviewChange]) -> StoreResult<Vec<ReviewItem>> {
        self.write(|tx| people::update_review(tx, changes))
    }
}
