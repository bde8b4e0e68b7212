//! Gaps in a signal's recording (issue 23, "honest gaps"): a `seen` signal
//! whose recorder was off for a week (plugin disabled) cannot prove that
//! anyone was idle during that week. A threshold reaching back over the gap
//! counts only the covered days, its candidates are unconfirmed, and a live
//! run on them needs approval; a gap older than the threshold changes
//! nothing; malformed gaps are refused precisely; the dashboard lists them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seatwarden_core::Millis;
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use seatwarden_core::plan::{Plan, PlanStatus};
use seatwarden_core::safety::GuardTrip;
use seatwarden_core::snapshot::SnapshotErrorKind;
use serde_json::{Value, json};

const NOW: i64 = 1_795_226_400_000; // 2026-11-21T02:00:00Z
const DAY: i64 = 86_400_000;
/// Midnight UTC of the day `NOW` falls in.
const TODAY: i64 = NOW - 2 * 3_600_000;

fn snapshot(signals: Value, users: &[(&str, i64, Option<i64>)]) -> Value {
    let users: Vec<Value> = users
        .iter()
        .map(|(key, login_days, seen_days)| {
            json!({"key": key, "username": key.to_lowercase(), "directoryId": 1, "active": true,
                "created": NOW - 900 * DAY, "lastLogin": NOW - login_days * DAY, "loginCount": 9,
                "groups": ["staff"],
                "activity": [seen_days.map_or(Value::Null, |d| json!(NOW - d * DAY))]})
        })
        .collect();
    json!({"format": "seatwarden-snapshot", "version": 1,
        "header": {"takenAt": NOW, "directories": [{"id": 1, "name": "Internal", "kind": "internal",
            "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                             "createUser": true, "updateMembership": true}}],
            "groups": [{"name": "staff"}], "signals": signals},
        "pages": [{"users": users}]})
}

fn index(signals: Value, users: &[(&str, i64, Option<i64>)]) -> DirectoryIndex {
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snapshot(signals, users)).unwrap())
        .unwrap()
}

/// Recording since 200 days ago, nothing from 30 to 23 days ago (7 days).
fn seen_with_gap() -> Value {
    json!([{"kind": "seen", "since": TODAY - 200 * DAY,
            "gaps": [{"from": TODAY - 30 * DAY, "to": TODAY - 23 * DAY}]}])
}

fn plan(idx: &DirectoryIndex, ctx: &EvalContext) -> Plan {
    let config = Config::from_value(json!({"version": 1, "policies": [
        {"id": "idle-90", "mode": "live", "condition": {"kind": "inactive", "days": 90},
         "action": {"kind": "deactivate"}}]}))
    .unwrap();
    evaluate(&config, idx, Millis(NOW), ctx)
}

fn acted(plan: &Plan, idx: &DirectoryIndex) -> Vec<String> {
    let mut keys: Vec<String> = plan
        .actions(idx)
        .into_iter()
        .map(|a| idx.key(UserIdx(a.idx)).to_owned())
        .collect();
    keys.sort();
    keys
}

fn warming(plan: &Plan) -> Vec<String> {
    plan.guard
        .iter()
        .filter(|t| matches!(t, GuardTrip::WarmingUp { .. }))
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_gap_inside_the_threshold_makes_its_candidates_need_approval() {
    let idx = index(
        seen_with_gap(),
        &[
            // Idle by login, last seen before the gap: may have worked
            // during the week nothing recorded.
            ("BEFORE", 120, Some(100)),
            // Never seen in 200 days of recording: unconfirmed too (the gap
            // could hide their only visits).
            ("NEVER-SEEN", 150, None),
            // Seen after the gap: active, not a candidate.
            ("AFTER", 150, Some(5)),
            // Logs in daily.
            ("BUSY", 1, None),
        ],
    );
    let p = plan(&idx, &EvalContext::default());
    assert_eq!(acted(&p, &idx), ["BEFORE", "NEVER-SEEN"]);
    let trips = warming(&p);
    assert_eq!(trips.len(), 1, "{:?}", p.guard);
    assert!(
        trips[0].contains("recorded nothing from 2026-10-22 to 2026-10-28: 83 of 90 days covered"),
        "{}",
        trips[0]
    );
    assert!(trips[0].contains("2 user(s)"), "{}", trips[0]);
    assert!(
        matches!(p.status(), PlanStatus::NeedsApproval { .. }),
        "{:?}",
        p.status()
    );
    // Approving this exact plan lets it run.
    let approved = plan(
        &idx,
        &EvalContext {
            approved_hash: Some(p.hash(&idx)),
            ..EvalContext::default()
        },
    );
    assert!(matches!(approved.status(), PlanStatus::Ready));
}

#[test]
fn a_gap_older_than_the_threshold_changes_nothing() {
    let idx = index(
        json!([{"kind": "seen", "since": TODAY - 200 * DAY,
                "gaps": [{"from": TODAY - 150 * DAY, "to": TODAY - 140 * DAY}]}]),
        &[("BEFORE", 120, Some(100)), ("BUSY", 1, None)],
    );
    let p = plan(&idx, &EvalContext::default());
    assert_eq!(acted(&p, &idx), ["BEFORE"]);
    assert!(warming(&p).is_empty(), "{:?}", p.guard);
    assert!(matches!(p.status(), PlanStatus::Ready), "{:?}", p.status());
}

#[test]
fn without_the_gap_the_same_plan_needs_no_approval() {
    // The control for the first test: the trip comes from the gap alone.
    let idx = index(
        json!([{"kind": "seen", "since": TODAY - 200 * DAY}]),
        &[("BEFORE", 120, Some(100)), ("BUSY", 1, None)],
    );
    let p = plan(&idx, &EvalContext::default());
    assert_eq!(acted(&p, &idx), ["BEFORE"]);
    assert!(warming(&p).is_empty(), "{:?}", p.guard);
}

#[test]
fn malformed_gaps_are_refused_precisely() {
    let since = TODAY - 200 * DAY;
    let cases = [
        (
            json!([{"kind": "seen", "gaps": [{"from": since, "to": since + DAY}]}]),
            "gaps need `since`",
        ),
        (
            json!([{"kind": "seen", "since": since, "gaps": [{"from": since + DAY, "to": since + DAY}]}]),
            "a gap's `from` must be before its `to`",
        ),
        (
            json!([{"kind": "seen", "since": since, "gaps": [
                {"from": since + DAY, "to": since + 5 * DAY},
                {"from": since + 3 * DAY, "to": since + 9 * DAY}]}]),
            "without overlap",
        ),
        (
            json!([{"kind": "seen", "since": since, "gaps": [{"from": since - DAY, "to": since + DAY}]}]),
            "must follow `since`",
        ),
    ];
    for (signals, message) in cases {
        let doc = snapshot(signals, &[]);
        let e = DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&doc).unwrap()).unwrap_err();
        assert_eq!(e.kind(), SnapshotErrorKind::SignalGaps, "{e}");
        assert!(
            e.to_string().starts_with("header `signals[0].gaps`: "),
            "{e}"
        );
        assert!(e.to_string().contains(message), "{e}");
    }
}

#[test]
fn the_dashboard_lists_a_signals_gaps() {
    use seatwarden_core::activity::ActivitySettings;
    use seatwarden_core::dashboard::signal_status;
    let idx = index(seen_with_gap(), &[("A", 1, Some(1))]);
    let status = signal_status(&idx, &ActivitySettings::default());
    let seen = &status[1];
    assert_eq!(seen.gaps.len(), 1);
    assert_eq!(seen.gaps[0].from, Millis(TODAY - 30 * DAY));
    assert_eq!(seen.gaps[0].to, Millis(TODAY - 23 * DAY));
    let json = serde_json::to_value(seen).unwrap();
    assert_eq!(
        json["gaps"],
        json!([{"from": TODAY - 30 * DAY, "to": TODAY - 23 * DAY}])
    );
    // The login signal has none and says nothing about gaps.
    assert!(
        serde_json::to_value(&status[0])
            .unwrap()
            .get("gaps")
            .is_none()
    );
}
