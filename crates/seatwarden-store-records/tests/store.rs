//! The record store against the Store contract, the memory backend against
//! the record contract, and both under concurrency.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Barrier};
use std::time::Duration;

use seatwarden_audit::{
    Action, Actor, AuditEntry, AuditFilter, AuditQuery, Initiator, NewRun, PlanHash, PolicyId,
    RunId, RunKind, Status, StoredEntry, Target,
};
use seatwarden_core::{Millis, Operation};
use seatwarden_service::store::{
    ActionOutcome, JournaledPlan, LeaseOwner, OutcomeStatus, PlannedAction, Store,
};
use seatwarden_store_records::backend_conformance;
use seatwarden_store_records::{
    BackendError, MemoryBackend, NewRecord, Record, RecordBackend, RecordStore, Scan, Table,
};

const NOW: Millis = Millis(1_800_000_000_000);

/// The Store contract, one test per check, over the record store on memory.
mod store_contract {
    use super::*;

    seatwarden_service::store_conformance_tests!(
        || -> Box<dyn seatwarden_service::store::Store> {
            Box::new(RecordStore::new(MemoryBackend::new()))
        }
    );
}

#[test]
fn memory_backend_meets_the_record_contract() {
    backend_conformance::run_all(&MemoryBackend::new());
}

#[test]
fn memory_backend_loses_nothing_under_concurrent_inserts() {
    backend_conformance::concurrent_inserts_lose_nothing(&MemoryBackend::new()).unwrap();
}

/// A backend that forgets to refuse a key repeated inside one batch.
struct LaxBatches(MemoryBackend);

impl RecordBackend for LaxBatches {
    fn insert(&self, table: Table, records: &[NewRecord]) -> Result<Vec<i64>, BackendError> {
        let mut ids = Vec::new();
        for r in records {
            match self.0.insert(table, std::slice::from_ref(r)) {
                Ok(id) => ids.extend(id),
                Err(BackendError::DuplicateKey { .. }) if ids.is_empty() => {
                    return self.0.insert(table, records);
                }
                Err(_) => {}
            }
        }
        Ok(ids)
    }
    fn get(&self, table: Table, key: &str) -> Result<Option<Record>, BackendError> {
        self.0.get(table, key)
    }
    fn get_by_id(&self, table: Table, id: i64) -> Result<Option<Record>, BackendError> {
        self.0.get_by_id(table, id)
    }
    fn update(
        &self,
        table: Table,
        id: i64,
        expected_revision: i64,
        time: Millis,
        kind: Option<&str>,
        body: &str,
    ) -> Result<Option<i64>, BackendError> {
        self.0
            .update(table, id, expected_revision, time, kind, body)
    }
    fn scan(&self, table: Table, scan: &Scan) -> Result<Vec<Record>, BackendError> {
        self.0.scan(table, scan)
    }
    fn count(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        self.0.count(table, scan)
    }
    fn delete(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        self.0.delete(table, scan)
    }
}

#[test]
fn a_backend_whose_batches_are_not_atomic_fails_the_suite() {
    let err = backend_conformance::check_all(&LaxBatches(MemoryBackend::new())).unwrap_err();
    assert!(err.starts_with("insert_is_atomic_and_keys_unique"), "{err}");
}

fn entry(at: i64, thread: usize, i: usize) -> AuditEntry {
    AuditEntry::new(
        Millis(at),
        Actor::system(),
        Action::UserDeactivated,
        Status::Success,
    )
    .with_target(Target::user(format!("JIRAUSER{thread}").into(), None))
    .with_description(format!("{thread}-{i}"))
}

#[test]
fn concurrent_writers_lose_nothing() {
    let store = Arc::new(RecordStore::new(MemoryBackend::new()));
    let run = store
        .create_run(&NewRun::new(
            RunKind::ManualBulkAction,
            "bulk",
            Initiator::Automated,
            NOW,
        ))
        .unwrap();
    let actions: Vec<PlannedAction> = (0..200)
        .filter_map(|i| {
            PlannedAction::of(Operation::Deactivate {
                user: format!("K{i}").into(),
            })
        })
        .collect();
    store
        .journal_plan(
            run,
            &JournaledPlan {
                hash: PlanHash("h".into()),
                json: "{}".into(),
                actions: actions.clone(),
            },
        )
        .unwrap();
    const THREADS: usize = 4;
    let recorded: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let store = Arc::clone(&store);
                let actions = &actions;
                s.spawn(move || {
                    for b in 0..25 {
                        let batch: Vec<AuditEntry> = (0..20)
                            .map(|i| entry(NOW.0 - (b * 20 + i) as i64, t, b * 20 + i))
                            .collect();
                        assert_eq!(store.append_audit(&batch).unwrap().len(), 20);
                    }
                    store
                        .create_run(&NewRun::new(
                            RunKind::Import,
                            format!("import {t}"),
                            Initiator::Automated,
                            NOW,
                        ))
                        .unwrap();
                    // Every thread tries every outcome: each lands once.
                    actions
                        .iter()
                        .filter(|a| {
                            store
                                .record_outcome(
                                    run,
                                    &ActionOutcome {
                                        user: a.user.clone(),
                                        action: a.action.clone(),
                                        status: OutcomeStatus::Succeeded,
                                        detail: None,
                                        at: NOW,
                                    },
                                )
                                .unwrap()
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert_eq!(
        recorded,
        actions.len(),
        "outcomes recorded more or less than once"
    );
    assert_eq!(
        store.count_audit(&AuditFilter::all()).unwrap(),
        (THREADS * 500) as u64
    );
    for t in 0..THREADS {
        let mine = AuditFilter {
            target: Some(format!("JIRAUSER{t}")),
            ..AuditFilter::default()
        };
        let mut seen = std::collections::HashSet::new();
        store
            .scan_audit(&mine, &mut |e| {
                assert!(seen.insert(e.entry.description.clone()), "entry seen twice");
                Ok(())
            })
            .unwrap();
        assert_eq!(seen.len(), 500, "thread {t} lost entries");
    }
    assert!(store.pending_actions(run).unwrap().is_empty());
    assert_eq!(store.journal(run).unwrap().unwrap().outcomes.len(), 200);
    let runs = store
        .query_runs(&seatwarden_audit::RunQuery {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(runs.items.len(), THREADS + 1);
}

/// A backend that holds reads of one table (`NODES` at a time, as many as
/// it is armed for) until all contenders have read, so every contender decides on the same
/// state and the compare-and-set (not the scheduler) has to pick the winner.
struct Gated {
    inner: MemoryBackend,
    table: Table,
    gate: Barrier,
    gated: std::sync::atomic::AtomicUsize,
}

impl Gated {
    fn new(table: Table) -> Gated {
        Gated {
            inner: MemoryBackend::new(),
            table,
            gate: Barrier::new(NODES),
            gated: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    fn hold(&self, table: Table) {
        if table != self.table {
            return;
        }
        let left = self.gated.fetch_update(
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
            |n| n.checked_sub(1),
        );
        if left.is_ok() {
            self.gate.wait();
        }
    }

    /// Holds the next `reads` reads of the table, `NODES` at a time.
    fn arm(&self, reads: usize) {
        self.gated.store(reads, std::sync::atomic::Ordering::SeqCst);
    }
}

impl RecordBackend for Gated {
    fn insert(&self, table: Table, records: &[NewRecord]) -> Result<Vec<i64>, BackendError> {
        self.inner.insert(table, records)
    }
    fn get(&self, table: Table, key: &str) -> Result<Option<Record>, BackendError> {
        let row = self.inner.get(table, key);
        self.hold(table);
        row
    }
    fn get_by_id(&self, table: Table, id: i64) -> Result<Option<Record>, BackendError> {
        let row = self.inner.get_by_id(table, id);
        self.hold(table);
        row
    }
    fn update(
        &self,
        table: Table,
        id: i64,
        expected_revision: i64,
        time: Millis,
        kind: Option<&str>,
        body: &str,
    ) -> Result<Option<i64>, BackendError> {
        self.inner
            .update(table, id, expected_revision, time, kind, body)
    }
    fn scan(&self, table: Table, scan: &Scan) -> Result<Vec<Record>, BackendError> {
        let rows = self.inner.scan(table, scan);
        self.hold(table);
        rows
    }
    fn count(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        self.inner.count(table, scan)
    }
    fn delete(&self, table: Table, scan: &Scan) -> Result<u64, BackendError> {
        self.inner.delete(table, scan)
    }
}

const NODES: usize = 4;

/// `NODES` stores on one backend race for `policy` at `now`; answers how
/// many got it.
fn race(backend: &Arc<Gated>, policy: &PolicyId, now: Millis, tag: &str) -> usize {
    backend.arm(NODES);
    let ttl = Duration::from_secs(60);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..NODES)
            .map(|n| {
                let store = RecordStore::shared(Arc::clone(backend));
                s.spawn(move || {
                    let owner = LeaseOwner(format!("{tag}-{n}"));
                    usize::from(
                        store
                            .acquire_lease(policy, &owner, now, ttl)
                            .unwrap()
                            .is_acquired(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

#[test]
fn stores_on_one_backend_competing_for_a_lease_exactly_one_wins() {
    let backend = Arc::new(Gated::new(Table::Leases));
    for round in 0..20 {
        let policy = PolicyId::from(format!("policy-{round}"));
        // A free lease: every node sees no row and inserts; one insert wins.
        let wins = race(&backend, &policy, NOW, "node");
        assert_eq!(wins, 1, "round {round}: {wins} nodes got a free lease");
        // An expired lease: every node sees the same expired row and tries
        // the compare-and-set; one wins.
        let wins = race(&backend, &policy, Millis(NOW.0 + 61_000), "late");
        assert_eq!(wins, 1, "round {round}: {wins} nodes took an expired lease");
    }
}

/// Entries whose ids run against their times (a back-filled import, nodes
/// with skewed clocks) still page newest first by (time, id), across many
/// time windows and gaps.
#[test]
fn audit_pages_follow_time_not_ids() {
    let store = RecordStore::new(MemoryBackend::new());
    let mut lcg = 0x9e37_79b9_u64;
    let mut next = |n: u64| {
        lcg = lcg
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (lcg >> 33) % n
    };
    let mut stored: Vec<StoredEntry> = Vec::new();
    for batch in 0..40 {
        let entries: Vec<AuditEntry> = (0..250)
            .map(|i| {
                // Three years, with dense bursts and empty months; ties.
                let back = if next(4) == 0 {
                    next(3 * 365) as i64 * 86_400_000
                } else {
                    next(3_600) as i64 * 1_000
                };
                let mut e = entry(NOW.0 - back, batch, i);
                if next(3) == 0 {
                    e.status = Status::Failed;
                }
                if next(5) == 0 {
                    e.action = Action::AddedToGroup;
                }
                e
            })
            .collect();
        let ids = store.append_audit(&entries).unwrap();
        stored.extend(
            ids.into_iter()
                .zip(entries)
                .map(|(id, entry)| StoredEntry { id, entry }),
        );
    }
    let filters = [
        AuditFilter::all(),
        AuditFilter {
            statuses: vec![Status::Failed],
            ..AuditFilter::default()
        },
        AuditFilter {
            actions: vec![Action::AddedToGroup],
            from: Some(NOW.minus_days(400)),
            until: Some(NOW.minus_days(30)),
            ..AuditFilter::default()
        },
    ];
    for filter in filters {
        let mut want: Vec<&StoredEntry> = stored
            .iter()
            .filter(|e| filter.matches(e, &|_: RunId| None))
            .collect();
        want.sort_by_key(|e| std::cmp::Reverse((e.entry.at, e.id)));
        let mut got = Vec::new();
        let mut query = AuditQuery::first(filter.clone(), 500);
        loop {
            let page = store.query_audit(&query).unwrap();
            got.extend(page.items.iter().map(|e| e.id));
            match page.next {
                Some(c) => query.after = Some(c),
                None => break,
            }
        }
        let want_ids: Vec<_> = want.iter().map(|e| e.id).collect();
        assert_eq!(got.len(), want_ids.len(), "{filter:?}");
        assert!(got == want_ids, "order differs for {filter:?}");
        assert_eq!(
            store.count_audit(&filter).unwrap(),
            want_ids.len() as u64,
            "{filter:?}"
        );
    }
}

/// A journaling that stopped after the plan row but before the hash reached
/// the run is finished by the retry a resumed run makes.
#[test]
fn a_journaling_cut_short_is_finished_by_the_retry() {
    let backend = Arc::new(MemoryBackend::new());
    let store = RecordStore::shared(Arc::clone(&backend));
    let run = store
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "n",
            Initiator::Automated,
            NOW,
        ))
        .unwrap();
    let plan = JournaledPlan {
        hash: PlanHash("abc".into()),
        json: "{}".into(),
        actions: PlannedAction::of(Operation::Deactivate { user: "K1".into() })
            .into_iter()
            .collect(),
    };
    backend
        .insert(
            Table::Journal,
            &[NewRecord {
                key: Some(run.0.to_string()),
                group: Some(run.0),
                time: NOW,
                kind: None,
                body: serde_json::to_string(&plan).unwrap(),
            }],
        )
        .unwrap();
    assert_eq!(store.get_run(run).unwrap().unwrap().plan_hash, None);
    store.journal_plan(run, &plan).unwrap();
    assert_eq!(
        store.get_run(run).unwrap().unwrap().plan_hash,
        Some(plan.hash.clone())
    );
    assert_eq!(store.pending_actions(run).unwrap(), plan.actions);
}

/// A purge cut short after deleting a run (before its rows) leaves journal,
/// outcome and before-state rows nobody lists; the next purge sweeps them.
#[test]
fn orphans_of_a_purge_cut_short_are_swept_by_the_next() {
    let backend = Arc::new(MemoryBackend::new());
    let store = RecordStore::shared(Arc::clone(&backend));
    let started = NOW.minus_days(40);
    let run = store
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "old",
            Initiator::Automated,
            started,
        ))
        .unwrap();
    let action = PlannedAction::of(Operation::Deactivate { user: "K1".into() }).unwrap();
    store
        .journal_plan(
            run,
            &JournaledPlan {
                hash: PlanHash("h".into()),
                json: "{}".into(),
                actions: vec![action.clone()],
            },
        )
        .unwrap();
    store
        .record_outcome(
            run,
            &ActionOutcome {
                user: action.user.clone(),
                action: action.action.clone(),
                status: OutcomeStatus::Succeeded,
                detail: None,
                at: started,
            },
        )
        .unwrap();
    store
        .record_before_states(
            run,
            &[seatwarden_service::store::AccountState {
                user: "K1".into(),
                active: true,
                suspended: false,
                username: "k1".into(),
                groups: Default::default(),
            }],
        )
        .unwrap();
    // The crash: the run row went, its other rows stayed.
    let gone = backend
        .delete(
            Table::Runs,
            &Scan {
                after_id: Some(run.0 - 1),
                before_id: Some(run.0 + 1),
                ..Scan::default()
            },
        )
        .unwrap();
    assert_eq!(gone, 1);
    let rows = |t| backend.count(t, &Scan::default()).unwrap();
    assert_eq!(rows(Table::BeforeStates), 1);
    store
        .purge_audit(seatwarden_audit::Retention::days(30), Actor::system(), NOW)
        .unwrap();
    for t in [Table::Journal, Table::Outcomes, Table::BeforeStates] {
        assert_eq!(rows(t), 0, "orphans left in `{}`", t.as_str());
    }
}

/// Workers on several nodes claiming the same due message: every one reads
/// it as due, exactly one claim lands.
#[test]
fn nodes_claiming_one_message_never_both_get_it() {
    let backend = Arc::new(Gated::new(Table::Outbox));
    let store = RecordStore::shared(Arc::clone(&backend));
    for round in 0..20 {
        let message = seatwarden_service::store::NewOutboxMessage {
            dedup_key: format!("K1:warning:{round}"),
            template_id: "warning".into(),
            recipient_user: Some("K1".into()),
            to: vec!["user@example.invalid".into()],
            bcc: Vec::new(),
            subject: "s".into(),
            html_body: "<p>h</p>".into(),
            text_body: "h".into(),
            created_at: NOW,
        };
        let id = store.enqueue_mail(&message).unwrap().id;
        // Every node scans, then every node reads the message, then each
        // tries its compare-and-set.
        backend.arm(2 * NODES);
        let now = Millis(NOW.0 + round);
        let claims: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..NODES)
                .map(|_| {
                    let node = RecordStore::shared(Arc::clone(&backend));
                    s.spawn(move || {
                        node.claim_due_mail(now, 10, Duration::from_secs(3_600))
                            .unwrap()
                            .iter()
                            .filter(|m| m.id == id)
                            .count()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(
            claims.iter().sum::<usize>(),
            1,
            "round {round}: claims per node {claims:?}"
        );
    }
}

/// Markers share the leases table (`marker:<kind>:<key>` rows): a lease
/// for a policy id shaped like a marker key is refused instead of reading
/// or overwriting the marker, and a claim prunes the lapsed markers of its
/// kind from the table.
#[test]
fn leases_never_meet_markers_and_lapsed_markers_are_pruned() {
    use seatwarden_service::store::Marker;
    let backend = Arc::new(MemoryBackend::new());
    let store = RecordStore::shared(backend.clone());
    let secret = Marker::new("secret", "links", "s3cr3t", Millis(i64::MAX));
    assert_eq!(store.claim_marker(&secret, NOW).unwrap(), None);
    let owner = LeaseOwner("node-a".into());
    let clash = PolicyId::from("marker:secret:links");
    assert!(
        store
            .acquire_lease(&clash, &owner, NOW, Duration::from_secs(60))
            .is_err()
    );
    assert_eq!(
        store.list_markers("secret", NOW).unwrap(),
        vec![secret.clone()]
    );

    let kinds = |kind: &str| Scan {
        kinds: vec![format!("marker:{kind}")],
        ..Scan::default()
    };
    for i in 0..3 {
        let used = Marker::new("link-used", &format!("k{i}"), "1", Millis(NOW.0 + 10));
        assert_eq!(store.claim_marker(&used, NOW).unwrap(), None);
    }
    assert_eq!(
        backend.count(Table::Leases, &kinds("link-used")).unwrap(),
        3
    );
    let later = Millis(NOW.0 + 10);
    let next = Marker::new("link-used", "k9", "1", Millis(later.0 + 10));
    assert_eq!(store.claim_marker(&next, later).unwrap(), None);
    assert_eq!(
        backend.count(Table::Leases, &kinds("link-used")).unwrap(),
        1
    );
    // Other kinds are left alone.
    assert_eq!(store.list_markers("secret", later).unwrap(), vec![secret]);
}
