//! Activity as several signals (docs/activity.md, issue 23): inactivity is "no
//! activity by any counted signal", reasons name every signal latest first, the
//! settings choose which signals count, a signal still warming up marks the
//! candidates it never recorded and a live run on them needs approval, and the
//! snapshot refuses malformed signal data precisely.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::{Plan, PlanStatus, Reason};
use seatwarden_core::safety::GuardTrip;
use seatwarden_core::snapshot::SnapshotErrorKind;
use serde_json::{Value, json};

const NOW: i64 = 1_795_226_400_000; // 2026-11-21T02:00:00Z
const DAY: i64 = 86_400_000;

fn ago(days: Option<i64>) -> Value {
    days.map_or(Value::Null, |d| json!(NOW - d * DAY))
}

/// A user idle `login` days by login, and by the header's signals `activity`
/// (days ago, `None`: no value).
fn user(key: &str, login: Option<i64>, activity: &[Option<i64>]) -> Value {
    let mut u = json!({"key": key, "username": key.to_lowercase(), "directoryId": 1,
        "active": true, "created": NOW - 900 * DAY, "lastLogin": ago(login),
        "loginCount": login.map(|_| 9), "groups": ["staff"]});
    if !activity.is_empty() {
        u["activity"] = Value::Array(activity.iter().map(|d| ago(*d)).collect());
    }
    u
}

fn snapshot(signals: Value, users: Vec<Value>) -> Value {
    json!({"format": "seatwarden-snapshot", "version": 1,
        "header": {"takenAt": NOW, "directories": [{"id": 1, "name": "Internal", "kind": "internal",
            "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                             "createUser": true, "updateMembership": true}}],
            "groups": [{"name": "staff"}], "signals": signals},
        "pages": [{"users": users}]})
}

fn index(signals: Value, users: Vec<Value>) -> DirectoryIndex {
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snapshot(signals, users)).unwrap())
        .unwrap()
}

fn config(activity: Value, mode: &str) -> Config {
    Config::from_value(json!({"version": 1,
        "settings": {"activity": activity},
        "policies": [{"id": "idle-90", "name": "Idle 90", "enabled": true, "mode": mode,
            "priority": 0, "trigger": {"kind": "scheduler"},
            "condition": {"kind": "inactive", "days": 90, "neverLoggedInDays": 30},
            "action": {"kind": "deactivate"}}]}))
    .unwrap()
}

fn deactivated(plan: &seatwarden_core::plan::Plan, index: &DirectoryIndex) -> Vec<String> {
    let mut keys: Vec<String> = plan
        .actions(index)
        .into_iter()
        .map(|a| index.key(seatwarden_core::index::UserIdx(a.idx)).to_owned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The plan of the 90-day policy at `NOW`, under `activity` settings and `mode`.
fn plan_of(idx: &DirectoryIndex, activity: Value, mode: &str) -> Plan {
    evaluate(
        &config(activity, mode),
        idx,
        seatwarden_core::Millis(NOW),
        &EvalContext::default(),
    )
}

/// Both signals with full history (no `since`).
fn two_signals() -> Value {
    json!([{"kind": "lastAuthenticated"}, {"kind": "seen"}])
}

#[test]
fn a_user_active_by_any_counted_signal_is_not_a_candidate() {
    let idx = index(
        two_signals(),
        vec![
            // Logs in by remember-me rarely, seen every day: works.
            user("SEEN", Some(120), &[None, Some(0)]),
            // Only a PAT: never logged in, seen yesterday.
            user("PAT", None, &[None, Some(1)]),
            // Confluence use moves Jira's lastAuthenticated.
            user("AUTH", Some(200), &[Some(3), None]),
            // Idle by every signal.
            user("IDLE", Some(150), &[Some(140), Some(100)]),
            // Never active by any signal, created 900 days ago.
            user("NEVER", None, &[None, None]),
        ],
    );
    let plan = plan_of(&idx, json!({}), "safe");
    assert_eq!(deactivated(&plan, &idx), vec!["IDLE", "NEVER"]);
}

#[test]
fn the_reason_names_every_signal_latest_first() {
    let idx = index(
        two_signals(),
        vec![user("IDLE", Some(173), &[None, Some(100)])],
    );
    let plan = plan_of(&idx, json!({}), "safe");
    let actions = plan.actions(&idx);
    let reason = &actions[0].reason;
    assert!(
        matches!(
            reason,
            Reason::Inactive {
                days: 100,
                threshold: 90,
                ..
            }
        ),
        "{reason:?}"
    );
    assert_eq!(
        reason.to_string(),
        "last seen 2026-08-13 by the plugin; last login 2026-06-01; last authenticated never, 100 days ≥ 90"
    );
}

#[test]
fn a_disabled_signal_does_not_count() {
    // Seen recently, idle by login: active while `seen` counts, a candidate
    // when the admin turns `seen` off.
    let idx = index(
        two_signals(),
        vec![user("SEEN", Some(120), &[None, Some(2)])],
    );
    let on = plan_of(&idx, json!({}), "safe");
    assert!(deactivated(&on, &idx).is_empty());
    let off = plan_of(&idx, json!({"seen": false}), "safe");
    assert_eq!(deactivated(&off, &idx), vec!["SEEN"]);
    // And the reason then names only the counted signals.
    let actions = off.actions(&idx);
    assert_eq!(
        actions[0].reason.to_string(),
        "last login 2026-07-24; last authenticated never, 120 days ≥ 90"
    );
}

#[test]
fn turning_every_signal_off_is_refused_with_its_path() {
    let e = Config::from_value(json!({"version": 1,
        "settings": {"activity": {"login": false, "lastAuthenticated": false, "seen": false}},
        "policies": []}))
    .unwrap_err();
    assert!(e.to_string().contains("settings.activity.login"), "{e}");
}

#[test]
fn without_declared_signals_reasons_and_plans_are_as_before() {
    let idx = index(json!([]), vec![user("IDLE", Some(173), &[])]);
    let plan = plan_of(&idx, json!({}), "safe");
    let actions = plan.actions(&idx);
    assert_eq!(
        actions[0].reason.to_string(),
        "last login 2026-06-01, 173 days ≥ 90"
    );
    let json = serde_json::to_value(&actions[0].reason).unwrap();
    assert!(json.get("signals").is_none(), "{json}");
}

/// `seen` started recording 34 days ago: it cannot prove 90 days of idleness.
fn warming() -> Value {
    json!([{"kind": "seen", "since": NOW - 34 * DAY}])
}

#[test]
fn a_warming_signal_marks_unrecorded_candidates_and_a_live_run_needs_approval() {
    let idx = index(
        warming(),
        vec![
            // Idle by login, never seen since install: unconfirmed.
            user("UNSEEN", Some(120), &[None]),
            // Idle by login but seen last week: not a candidate at all.
            user("SEEN", Some(120), &[Some(7)]),
            // Active by login.
            user("BUSY", Some(1), &[None]),
        ],
    );
    let now = seatwarden_core::Millis(NOW);
    let plan = plan_of(&idx, json!({}), "live");
    assert_eq!(deactivated(&plan, &idx), vec!["UNSEEN"]);
    let trips: Vec<&GuardTrip> = plan
        .guard
        .iter()
        .filter(|t| matches!(t, GuardTrip::WarmingUp { .. }))
        .collect();
    assert_eq!(trips.len(), 1, "{:?}", plan.guard);
    let text = trips[0].to_string();
    assert!(text.contains("1 user(s)"), "{text}");
    assert!(text.contains("34 of 90 days covered"), "{text}");
    assert!(
        matches!(plan.status(), PlanStatus::NeedsApproval { .. }),
        "{:?}",
        plan.status()
    );
    // The admin approves this exact plan: it may run.
    let hash = plan.hash(&idx);
    let ctx = EvalContext {
        approved_hash: Some(hash),
        ..EvalContext::default()
    };
    let approved = evaluate(&config(json!({}), "live"), &idx, now, &ctx);
    assert!(
        matches!(approved.status(), PlanStatus::Ready),
        "{:?}",
        approved.status()
    );
}

#[test]
fn a_signal_that_covers_the_threshold_needs_no_approval() {
    let idx = index(
        json!([{"kind": "seen", "since": NOW - 91 * DAY}]),
        vec![
            user("UNSEEN", Some(120), &[None]),
            // Someone logs in: the login-data health check stays quiet.
            user("BUSY", Some(1), &[None]),
        ],
    );
    let plan = plan_of(&idx, json!({}), "live");
    assert_eq!(deactivated(&plan, &idx), vec!["UNSEEN"]);
    assert!(plan.guard.is_empty(), "{:?}", plan.guard);
    assert!(matches!(plan.status(), PlanStatus::Ready));
}

#[test]
fn a_disabled_warming_signal_asks_for_nothing() {
    let idx = index(warming(), vec![user("UNSEEN", Some(120), &[None])]);
    let plan = plan_of(&idx, json!({"seen": false}), "live");
    assert_eq!(deactivated(&plan, &idx), vec!["UNSEEN"]);
    assert!(plan.guard.is_empty(), "{:?}", plan.guard);
}

#[test]
fn malformed_signal_data_is_refused_precisely() {
    let cases = [
        (
            snapshot(json!([{"kind": "seen"}, {"kind": "seen"}]), vec![]),
            SnapshotErrorKind::DuplicateSignal,
        ),
        (
            snapshot(json!([{"kind": "seen", "since": 5}]), vec![]),
            SnapshotErrorKind::SignalSince,
        ),
        (
            snapshot(two_signals(), vec![user("A", Some(1), &[Some(1)])]),
            SnapshotErrorKind::ActivityLength,
        ),
        (
            snapshot(
                two_signals(),
                vec![user("A", Some(1), &[Some(1), Some(-4000)])],
            ),
            SnapshotErrorKind::TooLate,
        ),
        (
            snapshot(json!([{"kind": "seen", "colour": 1}]), vec![]),
            SnapshotErrorKind::Json,
        ),
    ];
    for (doc, kind) in cases {
        let e = DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
    }
    let doc = snapshot(two_signals(), vec![user("A", Some(1), &[Some(1)])]);
    let e = DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "user `A` at pages[0].users[0]: field `activity`: 1 values, the header declares 2 signals"
    );
}

#[test]
fn per_product_signals_are_named_by_their_product() {
    // Cloud's per-product last-active dates are `seen` signals of one product each.
    let idx = index(
        json!([{"kind": "seen", "product": "jira-software"}, {"kind": "seen", "product": "confluence"}]),
        vec![user("IDLE", None, &[Some(95), Some(200)])],
    );
    let plan = plan_of(&idx, json!({}), "safe");
    let actions = plan.actions(&idx);
    assert_eq!(
        actions[0].reason.to_string(),
        "last active in Jira 2026-08-18; last active in Confluence 2026-05-05, 95 days ≥ 90"
    );
}

#[test]
fn the_dashboard_says_which_signals_count_and_since_when() {
    use seatwarden_core::activity::{ActivitySettings, SignalKind, SignalName};
    use seatwarden_core::dashboard::signal_status;
    let idx = index(
        json!([{"kind": "lastAuthenticated"}, {"kind": "seen", "since": NOW - 34 * DAY}]),
        vec![
            user("A", Some(1), &[Some(1), None]),
            user("B", None, &[None, Some(2)]),
            user("C", Some(3), &[None, Some(3)]),
        ],
    );
    let settings = ActivitySettings {
        seen: false,
        ..ActivitySettings::default()
    };
    let status = signal_status(&idx, &settings);
    let rows: Vec<(SignalName, bool, Option<i64>, u64)> = status
        .into_iter()
        .map(|s| {
            (
                s.signal,
                s.enabled,
                s.since.map(|m| m.0),
                s.users_with_value,
            )
        })
        .collect();
    let declared = |kind| SignalName::Declared {
        kind,
        product: None,
    };
    assert_eq!(
        rows,
        vec![
            (SignalName::Login, true, None, 2),
            (declared(SignalKind::LastAuthenticated), true, None, 1),
            (declared(SignalKind::Seen), false, Some(NOW - 34 * DAY), 2),
        ]
    );
}

/// The health check's never-logged-in share reads the counted signals: six
/// of ten licensed users only ever worked through a token (seen, no login).
/// Judged by the login column the share is 60 % and, against a previous run
/// at 0 %, the check pauses live runs for a data problem that is not one.
#[test]
fn the_health_checks_never_active_share_reads_the_counted_signals() {
    use seatwarden_core::config::HealthSettings;
    use seatwarden_core::safety::{HealthProblem, health_check, never_logged_in_share_bp};

    let users: Vec<Value> = (0..10)
        .map(|i| {
            let login = (i >= 6).then_some(3);
            user(&format!("U{i}"), login, &[Some(1)])
        })
        .collect();
    let mut snap = snapshot(json!([{"kind": "seen", "since": NOW - 400 * DAY}]), users);
    snap["header"]["groups"] = json!([{"name": "staff", "licence": true}]);
    let idx = DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snap).unwrap()).unwrap();
    // The previous run's share was 0 %.
    let problems = |mask| {
        health_check(
            &HealthSettings::default(),
            &idx,
            mask,
            seatwarden_core::Millis(NOW),
            Some(0),
        )
        .problems
    };
    let counted = idx.signal_mask(&seatwarden_core::activity::ActivitySettings::default());
    assert_eq!(never_logged_in_share_bp(&idx, counted), 0);
    assert_eq!(
        problems(counted),
        vec![],
        "token users are active, not never"
    );
    // Counting the login alone, the same data is 60 % never logged in.
    let login_only = idx.signal_mask(&seatwarden_core::activity::ActivitySettings {
        login: true,
        last_authenticated: false,
        seen: false,
    });
    assert_eq!(never_logged_in_share_bp(&idx, login_only), 6_000);
    let tripped = problems(login_only);
    assert!(
        matches!(
            tripped.as_slice(),
            [HealthProblem::NeverLoggedInJump {
                current_bp: 6_000,
                ..
            }]
        ),
        "{tripped:?}"
    );
}
