//! The Store contract as executable checks, run against every
//! implementation (the in-memory store's unit tests, the SQLite store's
//! integration tests, later the JNI-backed store).
//!
//! Each check takes a fresh, empty store and returns a description of the
//! first broken promise. Query results are compared with the reference
//! semantics in `seatwarden-audit` ([`AuditFilter::matches`]), so a store
//! that translates filters to SQL is held to exactly what the in-memory one
//! does.

use std::collections::HashSet;
use std::time::Duration;

use seatwarden_audit::{
    Action, Actor, AuditEntry, AuditFilter, AuditQuery, CLEAR_CONFIRMATION, ClearConfirmation,
    Initiator, NewRun, PlanHash, PolicyId, Retention, RunCounts, RunFilter, RunId, RunKind,
    RunQuery, RunStatus, RunUpdate, Status, StoredEntry, Target,
};
use seatwarden_core::time::DAY_MS;
use seatwarden_core::{GroupName, Millis, Operation, UserKey};

use super::{
    AccountState, ActionKey, ActionOutcome, ConfigVersion, JournaledPlan, LeaseOwner, MailStatus,
    NewOutboxMessage, OutboxQuery, OutcomeStatus, PlannedAction, Store, StoreError,
};

/// The outcome of one check: `Err` names the broken promise.
pub type Check = Result<(), String>;

/// A named check.
pub type NamedCheck = (&'static str, fn(&dyn Store) -> Check);

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        {
            let holds: bool = $cond;
            if !holds {
                return Err(format!($($msg)+));
            }
        }
    };
}

fn e2s(e: StoreError) -> String {
    format!("unexpected store error: {e}")
}

// After `ensure!`, which the module uses.
mod activity_history;
mod licence_history;
mod markers;
mod outbox_admin;
pub use activity_history::activity_history_last_write_wins;
pub use licence_history::licence_history_last_write_wins;
mod people;
pub use markers::{
    marker_replace_race_has_one_winner, markers_claim_once, markers_replace_is_compare_and_set,
    rate_counters_and_pruning,
};
pub use outbox_admin::outbox_retry_and_discard;
pub use people::{exemptions_replace_and_revoke, review_list_pending_and_decisions};

/// Runs every check, each on a fresh store from `make`.
pub fn run_all(make: &dyn Fn() -> Box<dyn Store>) -> Check {
    run(make, |_| true)
}

/// The checks that start threads of their own to call the store.
pub const THREADED: &[&str] = &["marker_replace_race_has_one_winner"];

/// Every check except [`THREADED`], for a store that answers only on the
/// calling thread (the JNI-backed one: Rust never attaches a thread to the
/// JVM; Java threads run those races there).
pub fn run_all_on_one_thread(make: &dyn Fn() -> Box<dyn Store>) -> Check {
    run(make, |name| !THREADED.contains(&name))
}

fn run(make: &dyn Fn() -> Box<dyn Store>, keep: impl Fn(&str) -> bool) -> Check {
    for (name, check) in CHECKS.iter().filter(|(name, _)| keep(name)) {
        let store = make();
        check(store.as_ref()).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

/// Declares the list of checks once: [`CHECKS`] (what [`run_all`] runs, in
/// order) and [`store_conformance_tests!`](crate::store_conformance_tests)
/// (one `#[test]` each, so a broken promise is named by the failing test and
/// the others still run). `$d` is a `$` handed in, so the inner macro can
/// have metavariables of its own.
macro_rules! checks {
    ($d:tt $($name:ident),* $(,)?) => {
        /// Every check, by name, in the order [`run_all`] runs them.
        pub const CHECKS: &[NamedCheck] = &[$((stringify!($name), $name)),*];

        /// One `#[test]` per check of `seatwarden_service::store::conformance`,
        /// each over a fresh store from `$make` (callable with no arguments,
        /// returning a `Box<dyn Store>`).
        #[macro_export]
        macro_rules! store_conformance_tests {
            ($d make:expr) => {
                $(
                    #[test]
                    fn $name() {
                        let store = $d make();
                        if let Err(broken) =
                            $d crate::store::conformance::$name(store.as_ref())
                        {
                            panic!("{}: {broken}", stringify!($name));
                        }
                    }
                )*
            };
        }
    };
}

checks!($
    config_optimistic_concurrency,
    audit_queries_match_reference,
    retention_and_clear,
    retention_ages_runs_from_their_finish,
    runs_and_summary,
    journal_is_idempotent,
    undo_first_state_wins,
    outbox_dedup_and_claims,
    outbox_retry_and_discard,
    leases_exclude,
    export_is_formula_safe,
    licence_history_last_write_wins,
    activity_history_last_write_wins,
    markers_claim_once,
    markers_replace_is_compare_and_set,
    marker_replace_race_has_one_winner,
    rate_counters_and_pruning,
    exemptions_replace_and_revoke,
    review_list_pending_and_decisions,
);

/// Saves need the version read; stale and invalid saves change nothing.
pub fn config_optimistic_concurrency(s: &dyn Store) -> Check {
    ensure!(
        s.load_config().map_err(e2s)?.is_none(),
        "fresh store has a config"
    );
    let v1 = s
        .save_config(ConfigVersion::NONE, r#"{"a":1}"#)
        .map_err(e2s)?;
    ensure!(v1 == ConfigVersion(1), "first version is {v1}");
    match s.save_config(ConfigVersion::NONE, r#"{"a":2}"#) {
        Err(StoreError::Conflict { expected, actual }) => {
            ensure!(
                expected == ConfigVersion::NONE && actual == v1,
                "conflict names wrong versions"
            )
        }
        other => return Err(format!("stale save was not refused: {other:?}")),
    }
    match s.save_config(v1, "{\"a\":") {
        Err(StoreError::InvalidDocument { line: 1, .. }) => {}
        other => return Err(format!("invalid json was not refused: {other:?}")),
    }
    let doc = s.load_config().map_err(e2s)?.ok_or("config vanished")?;
    ensure!(
        doc.version == v1 && doc.json == r#"{"a":1}"#,
        "refused saves changed the document"
    );
    let v2 = s.save_config(v1, r#"{"a":3}"#).map_err(e2s)?;
    ensure!(v2 == ConfigVersion(2), "second version is {v2}");
    ensure!(
        matches!(s.save_config(v1, "{}"), Err(StoreError::Conflict { .. })),
        "a save based on an older version was accepted"
    );
    Ok(())
}

/// A tiny deterministic generator, so a failure reproduces.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(usize::try_from(self.next(items.len() as u64)).unwrap_or(0))
    }
}

/// Synthetic entries spread over `days` days before `now`, with ties in time,
/// optional fields present and absent, and tricky text.
pub fn sample_entries(
    n: usize,
    now: Millis,
    days: i64,
    runs: &[RunId],
    seed: u64,
) -> Vec<AuditEntry> {
    let mut rng = Lcg(seed);
    let names = [
        "alice.example",
        "Bob_Sample",
        "=cmd|calc",
        "carol",
        "dave o'test",
        "Ünïcode",
    ];
    let groups = ["jira-users", "Developers", "confluence-users", "+plus"];
    let texts = [
        "removed from `jira-users`",
        "inactive for 120 days",
        "",
        "-5 days",
        "Quota",
    ];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let span = u64::try_from(days.max(1) * DAY_MS).unwrap_or(DAY_MS as u64);
        // Coarse times (whole minutes) so equal timestamps happen.
        let back = i64::try_from(rng.next(span / 60_000) * 60_000).unwrap_or(0);
        let at = Millis(now.0 - back);
        let action = *rng.pick(Action::ALL).unwrap_or(&Action::UserDeactivated);
        let status = *rng.pick(Status::ALL).unwrap_or(&Status::Success);
        let actor = match rng.next(3) {
            0 => Actor::user(
                format!("ADMIN{}", rng.next(3)),
                Some("Root Admin".to_owned()),
            ),
            1 => Actor::policy(PolicyId::from(format!("policy-{}", rng.next(4)))),
            _ => Actor::system(),
        };
        let mut e = AuditEntry::new(at, actor, action, status);
        if rng.next(4) > 0 {
            let name = rng.pick(&names).copied().unwrap_or("x");
            e.target = Target::user(
                UserKey::from(format!("JIRAUSER{}", rng.next(50))),
                Some(name.to_owned()),
            );
        }
        if rng.next(2) == 0 {
            e.target.group = rng.pick(&groups).map(|g| GroupName::from(*g));
        }
        e.description = rng.pick(&texts).copied().unwrap_or("").to_owned();
        if rng.next(2) == 0 {
            e.reason = Some(format!("rule {} fired", rng.next(5)));
        }
        if rng.next(3) > 0 {
            e.run = rng.pick(runs).copied();
        }
        if rng.next(3) == 0 {
            e.policy = Some(PolicyId::from(format!("policy-{}", rng.next(4))));
        }
        if rng.next(5) == 0 {
            e.client_ip = Some(std::net::IpAddr::from([
                10,
                0,
                0,
                u8::try_from(i % 250).unwrap_or(1),
            ]));
        }
        out.push(e);
    }
    out
}

fn sample_filters(now: Millis, runs: &[RunId]) -> Vec<AuditFilter> {
    let f = AuditFilter::default;
    vec![
        f(),
        AuditFilter {
            actions: vec![Action::UserDeactivated],
            ..f()
        },
        AuditFilter {
            actions: vec![Action::AddedToGroup, Action::RemovedFromGroup],
            statuses: vec![Status::Success],
            ..f()
        },
        AuditFilter {
            statuses: vec![Status::Failed, Status::Skipped],
            ..f()
        },
        AuditFilter {
            run_kinds: vec![RunKind::Import],
            ..f()
        },
        AuditFilter {
            run_kinds: vec![RunKind::ScheduledCleanup, RunKind::Revert],
            actions: vec![
                Action::UserDeactivated,
                Action::UserRenamed,
                Action::MailSent,
            ],
            ..f()
        },
        AuditFilter {
            actor: Some("admin1".into()),
            ..f()
        },
        AuditFilter {
            actor: Some("POLICY-2".into()),
            ..f()
        },
        AuditFilter {
            actor: Some(String::new()),
            ..f()
        },
        AuditFilter {
            target: Some("bob".into()),
            ..f()
        },
        AuditFilter {
            target: Some("developers".into()),
            ..f()
        },
        AuditFilter {
            target: Some("'".into()),
            ..f()
        },
        AuditFilter {
            text: Some("120 DAYS".into()),
            ..f()
        },
        AuditFilter {
            text: Some("rule 3".into()),
            ..f()
        },
        AuditFilter {
            text: Some("%".into()),
            ..f()
        },
        AuditFilter {
            from: Some(now.minus_days(3)),
            until: Some(now.minus_days(1)),
            ..f()
        },
        AuditFilter {
            from: Some(now.minus_days(1)),
            ..f()
        },
        AuditFilter {
            run: runs.first().copied(),
            ..f()
        },
        AuditFilter {
            policy: Some(PolicyId::from("policy-1")),
            ..f()
        },
        AuditFilter {
            actions: vec![
                Action::UserDeactivated,
                Action::UserDeleted,
                Action::AddedToGroup,
            ],
            statuses: vec![Status::Success],
            target: Some("jiraUSER1".into()),
            from: Some(now.minus_days(6)),
            ..f()
        },
    ]
}

fn make_runs(s: &dyn Store, now: Millis) -> Result<Vec<RunId>, String> {
    let mut ids = Vec::new();
    for (i, kind) in RunKind::ALL.iter().enumerate() {
        let offset = i64::try_from(i).unwrap_or(0) * 3_600_000;
        let new = NewRun::new(
            *kind,
            format!("{} run", kind.label()),
            Initiator::Automated,
            Millis(now.0 - offset),
        );
        ids.push(s.create_run(&new).map_err(e2s)?);
    }
    Ok(ids)
}

/// Paged queries, counts and scans return exactly what the reference
/// filter selects, newest first, without duplicates or gaps.
pub fn audit_queries_match_reference(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let runs = make_runs(s, now)?;
    let kinds: std::collections::HashMap<RunId, RunKind> = runs
        .iter()
        .filter_map(|id| s.get_run(*id).ok().flatten().map(|r| (*id, r.kind)))
        .collect();
    let entries = sample_entries(600, now, 8, &runs, 7);
    let mut stored = Vec::new();
    for chunk in entries.chunks(97) {
        let ids = s.append_audit(chunk).map_err(e2s)?;
        ensure!(
            ids.len() == chunk.len(),
            "append returned {} ids for {}",
            ids.len(),
            chunk.len()
        );
        for (id, e) in ids.into_iter().zip(chunk) {
            stored.push(StoredEntry {
                id,
                entry: e.clone(),
            });
        }
    }
    let distinct: HashSet<_> = stored.iter().map(|e| e.id).collect();
    ensure!(distinct.len() == stored.len(), "append reused ids");
    let kind = |r: RunId| kinds.get(&r).copied();
    for filter in sample_filters(now, &runs) {
        let mut want: Vec<&StoredEntry> =
            stored.iter().filter(|e| filter.matches(e, &kind)).collect();
        want.sort_by_key(|e| std::cmp::Reverse((e.entry.at, e.id)));
        let want_ids: Vec<_> = want.iter().map(|e| e.id).collect();
        let mut got = Vec::new();
        let mut query = AuditQuery::first(filter.clone(), 37);
        for _ in 0..1_000 {
            let page = s.query_audit(&query).map_err(e2s)?;
            ensure!(page.items.len() <= 37, "page larger than asked");
            for e in &page.items {
                let expected = want.get(got.len()).ok_or("more rows than the reference")?;
                ensure!(
                    **expected == *e,
                    "row {} differs for {filter:?}: {e:?} vs {expected:?}",
                    got.len()
                );
                got.push(e.id);
            }
            match page.next {
                Some(c) => query.after = Some(c),
                None => break,
            }
        }
        ensure!(
            got == want_ids,
            "paging returned {} of {} rows for {filter:?}",
            got.len(),
            want_ids.len()
        );
        let count = s.count_audit(&filter).map_err(e2s)?;
        ensure!(
            count == want_ids.len() as u64,
            "count {count} vs {} for {filter:?}",
            want_ids.len()
        );
        let mut scanned = Vec::new();
        let n = s
            .scan_audit(&filter, &mut |e| {
                scanned.push(e.id);
                Ok(())
            })
            .map_err(e2s)?;
        ensure!(
            scanned == want_ids && n == count,
            "scan differs for {filter:?}"
        );
    }
    Ok(())
}

/// Retention deletes only old entries and finished runs, and logs itself;
/// clear-all keeps running runs and logs itself.
pub fn retention_and_clear(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let old_done = s
        .create_run(&NewRun::new(
            RunKind::Import,
            "old",
            Initiator::Automated,
            now.minus_days(40),
        ))
        .map_err(e2s)?;
    s.update_run(
        old_done,
        &RunUpdate::finish(
            RunStatus::Succeeded,
            now.minus_days(40),
            RunCounts::default(),
        ),
    )
    .map_err(e2s)?;
    s.record_before_states(old_done, &[state("K1", true, "a", &[])])
        .map_err(e2s)?;
    let old_running = s
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "stuck",
            Initiator::Automated,
            now.minus_days(40),
        ))
        .map_err(e2s)?;
    let recent = s
        .create_run(&NewRun::new(
            RunKind::Import,
            "new",
            Initiator::Automated,
            now.minus_days(1),
        ))
        .map_err(e2s)?;
    s.update_run(recent, &RunUpdate::status(RunStatus::Failed))
        .map_err(e2s)?;
    let mk = |days: u32| {
        AuditEntry::new(
            now.minus_days(days),
            Actor::system(),
            Action::MailSent,
            Status::Success,
        )
    };
    s.append_audit(&[mk(45), mk(31), mk(30), mk(29), mk(0)])
        .map_err(e2s)?;
    let report = s
        .purge_audit(Retention::days(30), Actor::system(), now)
        .map_err(e2s)?;
    ensure!(
        report.entries == 2 && report.runs == 1,
        "purge reported {report:?}"
    );
    ensure!(
        s.count_audit(&AuditFilter::all()).map_err(e2s)? == 4,
        "wrong entries kept"
    );
    ensure!(
        s.get_run(old_done).map_err(e2s)?.is_none(),
        "old finished run kept"
    );
    ensure!(
        s.before_states(old_done).map_err(e2s)?.is_empty(),
        "undo of purged run kept"
    );
    ensure!(
        s.get_run(old_running).map_err(e2s)?.is_some(),
        "running run purged"
    );
    ensure!(
        s.get_run(recent).map_err(e2s)?.is_some(),
        "recent run purged"
    );
    let purged = s
        .query_audit(&AuditQuery::first(
            AuditFilter {
                actions: vec![Action::LogsPurged],
                ..AuditFilter::default()
            },
            10,
        ))
        .map_err(e2s)?;
    let entry = purged.items.first().ok_or("purge not audited")?;
    ensure!(
        entry.entry.description.contains("2 audit entries"),
        "purge entry lacks count"
    );
    ensure!(
        ClearConfirmation::parse("yes").is_err(),
        "wrong confirmation accepted"
    );
    let confirm = ClearConfirmation::parse(CLEAR_CONFIRMATION).map_err(|e| e.to_string())?;
    let report = s
        .clear_audit(confirm, Actor::user("ADMIN1", None), now)
        .map_err(e2s)?;
    ensure!(
        report.entries == 4 && report.runs == 1,
        "clear reported {report:?}"
    );
    let left = s
        .query_audit(&AuditQuery::first(AuditFilter::all(), 10))
        .map_err(e2s)?;
    ensure!(
        left.items.len() == 1,
        "clear left {} entries",
        left.items.len()
    );
    ensure!(
        left.items
            .iter()
            .all(|e| e.entry.action == Action::LogsPurged),
        "clear not audited"
    );
    ensure!(
        s.get_run(old_running).map_err(e2s)?.is_some(),
        "clear removed a running run"
    );
    Ok(())
}

/// Runs update, filter, page and add up into the summary cards.
pub fn runs_and_summary(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let mut new = NewRun::new(
        RunKind::ManualBulkAction,
        "Bulk deactivate",
        Initiator::Manual {
            user: "ADMIN1".into(),
            name: Some("root".into()),
        },
        Millis(now.0 - 60_000),
    );
    new.policy = Some(PolicyId::from("p1"));
    let a = s.create_run(&new).map_err(e2s)?;
    let got = s.get_run(a).map_err(e2s)?.ok_or("run missing")?;
    ensure!(
        got.name == "Bulk deactivate"
            && got.status == RunStatus::InProgress
            && got.policy == new.policy,
        "run not stored as created"
    );
    let counts = RunCounts {
        users_affected: 3,
        succeeded: 2,
        failed: 1,
        skipped: 0,
    };
    let done = s
        .update_run(
            a,
            &RunUpdate::finish(RunStatus::PartiallyFailed, now, counts),
        )
        .map_err(e2s)?;
    ensure!(
        done.counts == counts && done.duration_ms() == Some(60_000),
        "update lost fields"
    );
    ensure!(
        matches!(
            s.update_run(RunId(9_999), &RunUpdate::default()),
            Err(StoreError::RunNotFound(_))
        ),
        "update of missing run accepted"
    );
    let b = s
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "Nightly",
            Initiator::Automated,
            Millis(now.0 - 30_000),
        ))
        .map_err(e2s)?;
    s.update_run(
        b,
        &RunUpdate::finish(RunStatus::Succeeded, now, RunCounts::default()),
    )
    .map_err(e2s)?;
    let c = s
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "Old",
            Initiator::Automated,
            now.minus_days(3),
        ))
        .map_err(e2s)?;
    s.update_run(c, &RunUpdate::status(RunStatus::Failed))
        .map_err(e2s)?;
    let d = s
        .create_run(&NewRun::new(
            RunKind::Import,
            "Importing",
            Initiator::Automated,
            now.minus_days(2),
        ))
        .map_err(e2s)?;
    let page = s
        .query_runs(&RunQuery {
            limit: 2,
            ..RunQuery::default()
        })
        .map_err(e2s)?;
    let ids: Vec<_> = page.items.iter().map(|r| r.id).collect();
    ensure!(ids == vec![b, a], "runs not newest first: {ids:?}");
    let rest = s
        .query_runs(&RunQuery {
            limit: 2,
            after: page.next,
            ..RunQuery::default()
        })
        .map_err(e2s)?;
    let ids: Vec<_> = rest.items.iter().map(|r| r.id).collect();
    ensure!(
        ids == vec![d, c] && rest.next.is_none(),
        "second page wrong: {ids:?}"
    );
    let filtered = s
        .query_runs(&RunQuery {
            filter: RunFilter {
                kinds: vec![RunKind::ScheduledCleanup],
                statuses: vec![RunStatus::Failed],
                ..RunFilter::default()
            },
            ..RunQuery::default()
        })
        .map_err(e2s)?;
    ensure!(
        filtered.items.iter().map(|r| r.id).collect::<Vec<_>>() == vec![c],
        "kind+status filter wrong"
    );
    let by_text = s
        .query_runs(&RunQuery {
            filter: RunFilter {
                text: Some("ROOT".into()),
                ..RunFilter::default()
            },
            ..RunQuery::default()
        })
        .map_err(e2s)?;
    ensure!(
        by_text.items.iter().map(|r| r.id).collect::<Vec<_>>() == vec![a],
        "text filter wrong"
    );
    let entry = |user: &str, status| {
        AuditEntry::new(
            Millis(now.0 - 1_000),
            Actor::system(),
            Action::UserDeactivated,
            status,
        )
        .with_target(Target::user(user.into(), None))
    };
    s.append_audit(&[
        entry("U1", Status::Success),
        entry("U1", Status::Success),
        entry("U2", Status::Success),
        entry("U3", Status::Failed),
    ])
    .map_err(e2s)?;
    s.append_audit(&[AuditEntry::new(
        now.minus_days(2),
        Actor::system(),
        Action::UserDeleted,
        Status::Success,
    )
    .with_target(Target::user("U9".into(), None))])
        .map_err(e2s)?;
    let cards = s.summary(now).map_err(e2s)?;
    ensure!(
        cards.operations == 2 && cards.succeeded == 1 && cards.partially_failed == 1,
        "cards {cards:?}"
    );
    ensure!(
        cards.in_progress == 1 && cards.users_affected == 2,
        "cards {cards:?}"
    );
    ensure!(
        (cards.succeeded_pct - 50.0).abs() <= f64::EPSILON,
        "cards {cards:?}"
    );
    Ok(())
}

/// A run's age for retention counts from when it finished: a run that
/// started long ago but finished recently (held for approval, or long)
/// stays with its undo records, so it can still be reverted; a run that
/// has not finished is never purged, however old its start.
pub fn retention_ages_runs_from_their_finish(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let started = now.minus_days(40);
    let run = |name: &str| {
        s.create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            name,
            Initiator::Automated,
            started,
        ))
        .map_err(e2s)
    };
    let late = run("approved late")?;
    s.update_run(late, &RunUpdate::status(RunStatus::AwaitingApproval))
        .map_err(e2s)?;
    s.update_run(
        late,
        &RunUpdate::finish(
            RunStatus::Succeeded,
            now.minus_days(2),
            RunCounts::default(),
        ),
    )
    .map_err(e2s)?;
    s.record_before_states(late, &[state("K1", true, "a", &[])])
        .map_err(e2s)?;
    let waiting = run("still waiting")?;
    s.update_run(waiting, &RunUpdate::status(RunStatus::AwaitingApproval))
        .map_err(e2s)?;
    let long_ago = run("finished long ago")?;
    s.update_run(
        long_ago,
        &RunUpdate::finish(
            RunStatus::Succeeded,
            now.minus_days(31),
            RunCounts::default(),
        ),
    )
    .map_err(e2s)?;
    s.record_before_states(long_ago, &[state("K2", true, "b", &[])])
        .map_err(e2s)?;
    let report = s
        .purge_audit(Retention::days(30), Actor::system(), now)
        .map_err(e2s)?;
    ensure!(
        report.runs == 1,
        "purge removed {} runs, not 1",
        report.runs
    );
    ensure!(
        s.get_run(late).map_err(e2s)?.is_some(),
        "a run finished 2 days ago was purged because it started 40 days ago"
    );
    ensure!(
        s.before_states(late).map_err(e2s)?.len() == 1,
        "the undo records of a recently finished run were purged"
    );
    ensure!(
        s.get_run(waiting).map_err(e2s)?.is_some(),
        "a run awaiting approval was purged"
    );
    ensure!(
        s.get_run(long_ago).map_err(e2s)?.is_none(),
        "a run finished 31 days ago was kept"
    );
    ensure!(
        s.before_states(long_ago).map_err(e2s)?.is_empty(),
        "the undo records of a purged run were kept"
    );
    // A later tick, once the late run is past the retention too, takes it.
    let report = s
        .purge_audit(Retention::days(30), Actor::system(), now.plus_days(29))
        .map_err(e2s)?;
    ensure!(
        report.runs == 1 && s.get_run(late).map_err(e2s)?.is_none(),
        "a run finished 31 days before the second purge was kept"
    );
    ensure!(
        s.get_run(waiting).map_err(e2s)?.is_some(),
        "a run awaiting approval was purged"
    );
    Ok(())
}

fn state(key: &str, active: bool, name: &str, groups: &[&str]) -> AccountState {
    AccountState {
        user: key.into(),
        active,
        suspended: false,
        username: name.into(),
        groups: groups.iter().map(|g| GroupName::from(*g)).collect(),
    }
}

fn plan(actions: Vec<PlannedAction>) -> JournaledPlan {
    JournaledPlan {
        hash: PlanHash("ab12".into()),
        json: r#"{"plan":1}"#.into(),
        actions,
    }
}

/// Outcomes need a plan, are keyed, and land once; pending is what is left.
pub fn journal_is_idempotent(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let run = s
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "n",
            Initiator::Automated,
            now,
        ))
        .map_err(e2s)?;
    let outcome = |user: &str, action: &str, status| ActionOutcome {
        user: user.into(),
        action: ActionKey(action.into()),
        status,
        detail: None,
        at: now,
    };
    ensure!(
        matches!(
            s.record_outcome(run, &outcome("K1", "deactivate", OutcomeStatus::Succeeded)),
            Err(StoreError::NoPlan(_))
        ),
        "outcome without plan accepted"
    );
    ensure!(
        matches!(s.pending_actions(run), Err(StoreError::NoPlan(_))),
        "pending without plan"
    );
    let ops = [
        Operation::Deactivate { user: "K1".into() },
        Operation::RemoveFromGroup {
            user: "K1".into(),
            group: "jira-users".into(),
        },
        Operation::Deactivate { user: "K2".into() },
    ];
    let actions: Vec<PlannedAction> = ops.iter().cloned().filter_map(PlannedAction::of).collect();
    let dup = plan(vec![
        actions.first().cloned().ok_or("no action")?,
        actions.first().cloned().ok_or("no action")?,
    ]);
    ensure!(
        matches!(
            s.journal_plan(run, &dup),
            Err(StoreError::DuplicateAction { .. })
        ),
        "duplicate plan action accepted"
    );
    let p = plan(actions.clone());
    s.journal_plan(run, &p).map_err(e2s)?;
    s.journal_plan(run, &p).map_err(e2s)?;
    ensure!(
        matches!(
            s.journal_plan(run, &plan(actions.iter().take(1).cloned().collect())),
            Err(StoreError::PlanMismatch(_))
        ),
        "different plan accepted"
    );
    ensure!(
        s.get_run(run).map_err(e2s)?.and_then(|r| r.plan_hash) == Some(p.hash.clone()),
        "plan hash not on run"
    );
    ensure!(
        s.record_outcome(run, &outcome("K1", "deactivate", OutcomeStatus::Succeeded))
            .map_err(e2s)?,
        "first outcome not new"
    );
    ensure!(
        !s.record_outcome(run, &outcome("K1", "deactivate", OutcomeStatus::Failed))
            .map_err(e2s)?,
        "retry not a no-op"
    );
    ensure!(
        matches!(
            s.record_outcome(run, &outcome("K1", "delete", OutcomeStatus::Succeeded)),
            Err(StoreError::UnknownAction { .. })
        ),
        "unknown action accepted"
    );
    ensure!(
        s.record_outcome(run, &outcome("K2", "deactivate", OutcomeStatus::Failed))
            .map_err(e2s)?,
        "second outcome not new"
    );
    let pending = s.pending_actions(run).map_err(e2s)?;
    ensure!(
        pending == vec![actions.get(1).cloned().ok_or("no action")?],
        "pending wrong: {pending:?}"
    );
    let journal = s.journal(run).map_err(e2s)?.ok_or("journal missing")?;
    ensure!(journal.plan == p, "plan not stored verbatim");
    ensure!(
        journal.outcomes.len() == 2
            && journal.outcomes.first().map(|o| o.status) == Some(OutcomeStatus::Succeeded),
        "outcomes wrong (retry overwrote?)"
    );
    ensure!(
        journal.landed_operations() == vec![Operation::Deactivate { user: "K1".into() }],
        "landed wrong"
    );
    ensure!(
        s.mark_interrupted(run, now).map_err(e2s)?,
        "in-progress run not interrupted"
    );
    ensure!(
        !s.mark_interrupted(run, now).map_err(e2s)?,
        "interrupted twice"
    );
    ensure!(
        s.get_run(run).map_err(e2s)?.map(|r| r.status) == Some(RunStatus::Interrupted),
        "status not interrupted"
    );
    Ok(())
}

/// The first before-state per (run, user) is kept.
pub fn undo_first_state_wins(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let run = s
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "n",
            Initiator::Automated,
            now,
        ))
        .map_err(e2s)?;
    let other = s
        .create_run(&NewRun::new(
            RunKind::ScheduledCleanup,
            "m",
            Initiator::Automated,
            now,
        ))
        .map_err(e2s)?;
    s.record_before_states(
        run,
        &[
            state("K2", true, "bob", &["g1", "g2"]),
            state("K1", false, "al", &[]),
        ],
    )
    .map_err(e2s)?;
    s.record_before_states(run, &[state("K2", false, "bob_x", &[])])
        .map_err(e2s)?;
    s.record_before_states(other, &[state("K3", true, "c", &[])])
        .map_err(e2s)?;
    let got = s.before_states(run).map_err(e2s)?;
    ensure!(
        got == vec![
            state("K1", false, "al", &[]),
            state("K2", true, "bob", &["g1", "g2"])
        ],
        "before states {got:?}"
    );
    ensure!(
        matches!(
            s.record_before_states(RunId(9_999), &[]),
            Err(StoreError::RunNotFound(_))
        ),
        "missing run accepted"
    );
    Ok(())
}

fn mail(key: &str, at: Millis) -> NewOutboxMessage {
    NewOutboxMessage {
        dedup_key: key.into(),
        template_id: "warning".into(),
        recipient_user: Some("K1".into()),
        to: vec!["user@example.invalid".into()],
        bcc: vec!["audit@example.invalid".into()],
        subject: "Your account".into(),
        html_body: "<p>Hello</p>".into(),
        text_body: "Hello".into(),
        created_at: at,
    }
}

/// Duplicates are refused, claims are exclusive until they lapse, failures
/// retry or end.
pub fn outbox_dedup_and_claims(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let a = s.enqueue_mail(&mail("K1:warning:1", now)).map_err(e2s)?;
    let again = s.enqueue_mail(&mail("K1:warning:1", now)).map_err(e2s)?;
    ensure!(a.new && !again.new && again.id == a.id, "dedup failed");
    let b = s
        .enqueue_mail(&mail("K1:warning:2", Millis(now.0 + 1)))
        .map_err(e2s)?;
    let claim = Duration::from_secs(60);
    let first = s.claim_due_mail(now, 10, claim).map_err(e2s)?;
    ensure!(
        first.iter().map(|m| m.id).collect::<Vec<_>>() == vec![a.id],
        "due claim wrong"
    );
    let m = first.first().ok_or("nothing claimed")?;
    ensure!(
        m.status == MailStatus::Sending
            && m.attempts == 1
            && m.to == mail("", now).to
            && m.bcc.len() == 1,
        "claim fields wrong: {m:?}"
    );
    let second = s
        .claim_due_mail(Millis(now.0 + 1), 10, claim)
        .map_err(e2s)?;
    ensure!(
        second.iter().map(|m| m.id).collect::<Vec<_>>() == vec![b.id],
        "claimed message claimed twice"
    );
    let lapsed = s
        .claim_due_mail(Millis(now.0 + 61_000), 1, claim)
        .map_err(e2s)?;
    ensure!(
        lapsed.first().map(|m| (m.id, m.attempts)) == Some((a.id, 2)),
        "lapsed claim not re-claimable"
    );
    s.mark_mail_failed(a.id, now, "smtp 451", Some(Millis(now.0 + 200_000)))
        .map_err(e2s)?;
    ensure!(
        s.claim_due_mail(Millis(now.0 + 199_999), 10, claim)
            .map_err(e2s)?
            .iter()
            .all(|m| m.id != a.id),
        "retried before due"
    );
    s.mark_mail_sent(b.id, now).map_err(e2s)?;
    let retry = s
        .claim_due_mail(Millis(now.0 + 200_000), 10, claim)
        .map_err(e2s)?;
    ensure!(
        retry.iter().map(|m| m.id).collect::<Vec<_>>() == vec![a.id],
        "retry not due or sent re-claimed"
    );
    s.mark_mail_failed(a.id, now, "smtp 550", None)
        .map_err(e2s)?;
    ensure!(
        s.claim_due_mail(Millis(i64::MAX / 2), 10, claim)
            .map_err(e2s)?
            .is_empty(),
        "final failure re-claimed"
    );
    ensure!(
        matches!(
            s.mark_mail_sent(super::MailId(9_999), now),
            Err(StoreError::MailNotFound(_))
        ),
        "missing mail accepted"
    );
    let failed = s
        .list_mail(&OutboxQuery {
            statuses: vec![MailStatus::Failed],
            ..OutboxQuery::default()
        })
        .map_err(e2s)?;
    let f = failed.items.first().ok_or("failed mail not listed")?;
    ensure!(
        failed.items.len() == 1 && f.last_error.as_deref() == Some("smtp 550") && f.attempts == 3,
        "failed listing {f:?}"
    );
    let page = s
        .list_mail(&OutboxQuery {
            limit: 1,
            ..OutboxQuery::default()
        })
        .map_err(e2s)?;
    ensure!(
        page.items.first().map(|m| m.id) == Some(b.id) && page.next.is_some(),
        "list not newest first"
    );
    let rest = s
        .list_mail(&OutboxQuery {
            limit: 1,
            after: page.next,
            ..OutboxQuery::default()
        })
        .map_err(e2s)?;
    ensure!(
        rest.items.first().map(|m| m.id) == Some(a.id) && rest.next.is_none(),
        "list paging wrong"
    );
    Ok(())
}

/// One holder at a time; expiry frees a lease; only the holder renews or releases.
pub fn leases_exclude(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let p = PolicyId::from("nightly");
    let (a, b) = (LeaseOwner("node-a".into()), LeaseOwner("node-b".into()));
    let ttl = Duration::from_secs(30);
    ensure!(
        s.acquire_lease(&p, &a, now, ttl)
            .map_err(e2s)?
            .is_acquired(),
        "free lease not acquired"
    );
    ensure!(
        !s.acquire_lease(&p, &b, Millis(now.0 + 29_999), ttl)
            .map_err(e2s)?
            .is_acquired(),
        "held lease taken"
    );
    ensure!(
        s.acquire_lease(&PolicyId::from("other"), &b, now, ttl)
            .map_err(e2s)?
            .is_acquired(),
        "leases are not per policy"
    );
    ensure!(
        s.acquire_lease(&p, &a, Millis(now.0 + 10_000), ttl)
            .map_err(e2s)?
            .is_acquired(),
        "owner could not re-acquire"
    );
    ensure!(
        s.renew_lease(&p, &b, now, ttl).map_err(e2s)?.is_none(),
        "non-owner renewed"
    );
    let renewed = s
        .renew_lease(&p, &a, Millis(now.0 + 20_000), ttl)
        .map_err(e2s)?
        .ok_or("owner could not renew")?;
    ensure!(
        renewed.expires_at == Millis(now.0 + 50_000),
        "renewal expiry wrong"
    );
    ensure!(
        !s.acquire_lease(&p, &b, Millis(now.0 + 49_999), ttl)
            .map_err(e2s)?
            .is_acquired(),
        "renewed lease taken"
    );
    ensure!(
        s.acquire_lease(&p, &b, Millis(now.0 + 50_000), ttl)
            .map_err(e2s)?
            .is_acquired(),
        "expired lease not taken"
    );
    ensure!(
        s.renew_lease(&p, &a, Millis(now.0 + 50_001), ttl)
            .map_err(e2s)?
            .is_none(),
        "lost lease renewed"
    );
    ensure!(!s.release_lease(&p, &a).map_err(e2s)?, "non-owner released");
    ensure!(
        s.release_lease(&p, &b).map_err(e2s)?,
        "owner could not release"
    );
    ensure!(
        s.acquire_lease(&p, &a, Millis(now.0 + 50_002), ttl)
            .map_err(e2s)?
            .is_acquired(),
        "released lease not free"
    );
    Ok(())
}

/// Exported cells never start with a formula character.
pub fn export_is_formula_safe(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let e = AuditEntry::new(
        now,
        Actor::user("K1", Some("@admin".into())),
        Action::UserRenamed,
        Status::Success,
    )
    .with_target(Target::user("K2".into(), Some("=HYPERLINK(\"x\")".into())))
    .with_description("+1 group")
    .with_reason("-cmd");
    s.append_audit(&[e]).map_err(e2s)?;
    let mut out = Vec::new();
    let rows = s
        .export_audit_csv(&AuditFilter::all(), &mut out)
        .map_err(e2s)?;
    let text = String::from_utf8(out).map_err(|e| e.to_string())?;
    ensure!(rows == 1, "exported {rows} rows");
    for needle in [
        "'@admin",
        "'=HYPERLINK",
        "'+1 group",
        "'-cmd",
        "2027-01-15T08:00:00.000Z",
    ] {
        ensure!(text.contains(needle), "export lacks {needle}: {text}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    store_conformance_tests!(|| -> Box<dyn Store> { Box::new(super::super::MemoryStore::new()) });
}
