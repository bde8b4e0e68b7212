//! Property tests of the policy engine's invariants:
//! - a protected user, a sysadmin or the acting admin never gets an action;
//! - safe and live plans are identical apart from the mode;
//! - raising a threshold never adds users;
//! - the plan hash changes exactly when the planned writes change.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use roaring::RoaringBitmap;
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::{Plan, PlanOrder, reference};
use seatwarden_core::policy::Mode;
use seatwarden_core::{Millis, UserKey};
use serde_json::{Value, json};

const NOW: i64 = 1_795_226_400_000; // 2026-11-21T02:00:00Z
const DAY: i64 = 86_400_000;
const GROUPS: [&str; 5] = ["protected", "licensed-a", "licensed-b", "team", "tag"];

#[derive(Clone, Debug)]
struct U {
    active: bool,
    last_login_days: Option<i64>,
    created_days: i64,
    login_count: Option<u32>,
    deactivated_days: Option<i64>,
    groups: u8,
    read_only_dir: bool,
    sysadmin: bool,
}

fn user_strategy() -> impl Strategy<Value = U> {
    (
        any::<bool>(),
        prop::option::of(0i64..400),
        0i64..400,
        prop::option::of(0u32..4),
        prop::option::of(0i64..300),
        0u8..32,
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.1),
    )
        .prop_map(
            |(active, last, created_extra, count, deact, groups, ro, sysadmin)| {
                let created_days = last.unwrap_or(0) + created_extra;
                U {
                    active,
                    last_login_days: last,
                    created_days,
                    login_count: match (last, count) {
                        (None, Some(_)) => Some(0),
                        (Some(_), Some(0)) => Some(1),
                        (_, c) => c,
                    },
                    deactivated_days: if active { None } else { deact },
                    groups,
                    read_only_dir: ro,
                    sysadmin,
                }
            },
        )
}

fn snapshot(users: &[U]) -> Vec<u8> {
    snapshot_keyed(users, |i| format!("K{i:03}"))
}

/// As [`snapshot`], user `i` keyed `key(i)` (keys out of index order test
/// that plans list users in key order).
fn snapshot_keyed(users: &[U], key: impl Fn(usize) -> String) -> Vec<u8> {
    let all = json!({"updateUser": true, "renameUser": true, "deleteUser": true, "createUser": true, "updateMembership": true});
    let none = json!({});
    let us: Vec<Value> = users
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let groups: Vec<&str> = GROUPS
                .iter()
                .enumerate()
                .filter(|(g, _)| u.groups & (1 << g) != 0)
                .map(|(_, n)| *n)
                .collect();
            json!({
                "key": key(i), "username": format!("user{i:03}"),
                "directoryId": if u.read_only_dir { 2 } else { 1 },
                "active": u.active,
                "created": NOW - u.created_days * DAY - 1000,
                "lastLogin": u.last_login_days.map(|d| NOW - d * DAY),
                "loginCount": u.login_count,
                "deactivatedAt": u.deactivated_days.map(|d| NOW - d * DAY),
                "groups": groups,
            })
        })
        .collect();
    let sysadmins: Vec<String> = users
        .iter()
        .enumerate()
        .filter(|(_, u)| u.sysadmin)
        .map(|(i, _)| key(i))
        .collect();
    serde_json::to_vec(&json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": NOW,
            "directories": [
                {"id": 1, "name": "Internal", "kind": "internal", "capabilities": all},
                {"id": 2, "name": "LDAP", "kind": "ldap", "capabilities": none, "localGroups": ["tag"]}
            ],
            "groups": GROUPS.iter().map(|g| json!({"name": g, "licence": g.starts_with("licensed")})).collect::<Vec<_>>(),
            "licences": [],
            "sysadmins": sysadmins
        },
        "pages": [{"users": us}]
    }))
    .unwrap()
}

#[derive(Clone, Debug)]
struct P {
    kind: u8,
    days: u32,
    never: Option<u32>,
    once: Option<u32>,
    priority: i32,
    live: bool,
    membership_only: bool,
    only_team: bool,
}

fn policy_strategy() -> impl Strategy<Value = P> {
    (
        0u8..6,
        1u32..300,
        prop::option::of(1u32..300),
        prop::option::of(1u32..300),
        -3i32..3,
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.3),
    )
        .prop_map(
            |(kind, days, never, once, priority, live, membership_only, only_team)| P {
                kind,
                days,
                never,
                once,
                priority,
                live,
                membership_only,
                only_team,
            },
        )
}

fn policy_json(i: usize, p: &P) -> Value {
    let inactive = json!({"kind": "inactive", "days": p.days,
        "neverLoggedInDays": p.never, "onceLoggedInDays": p.once});
    let (condition, action) = match p.kind {
        0 => (
            inactive,
            json!({"kind": "deactivate", "renameSuffix": "_old"}),
        ),
        1 => (
            inactive,
            json!({"kind": "remove_groups", "groups": ["licensed-a", "tag"]}),
        ),
        2 => (inactive, json!({"kind": "add_groups", "groups": ["tag"]})),
        3 => (inactive, json!({"kind": "remove_licence_groups"})),
        4 => (
            json!({"kind": "deactivated", "days": p.days}),
            json!({"kind": "delete"}),
        ),
        _ => (inactive, json!({"kind": "deactivate"})),
    };
    let mut scope = json!({"readOnly": if p.membership_only { "membership_only" } else { "skip" }});
    if p.only_team {
        scope["target"] = json!({"kind": "only_groups", "groups": ["team"]});
    }
    json!({"id": format!("p{i}"), "priority": p.priority, "mode": if p.live { "live" } else { "safe" },
           "scope": scope, "condition": condition, "action": action})
}

fn config(policies: &[P]) -> Config {
    let ps: Vec<Value> = policies
        .iter()
        .enumerate()
        .map(|(i, p)| policy_json(i, p))
        .collect();
    Config::from_value(
        json!({"version": 1, "settings": {"protectedGroups": ["protected"]}, "policies": ps}),
    )
    .unwrap()
}

fn ctx() -> EvalContext {
    EvalContext {
        acting_admin: Some(UserKey::from("K000")),
        ..EvalContext::default()
    }
}

fn acted(plan: &Plan) -> RoaringBitmap {
    let mut all = RoaringBitmap::new();
    for o in &plan.outcomes {
        all |= o.acted_on();
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn protected_users_sysadmins_and_the_acting_admin_never_get_an_action(
        users in prop::collection::vec(user_strategy(), 1..40),
        policies in prop::collection::vec(policy_strategy(), 1..5),
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let plan = evaluate(&config(&policies), &index, Millis(NOW), &ctx());
        for a in plan.actions(&index) {
            let key = a.operation.user().unwrap().as_str().to_owned();
            let i: usize = key[1..].parse().unwrap();
            let u = &users[i];
            prop_assert!(u.groups & 1 == 0, "protected user {key} got {:?}", a.operation);
            prop_assert!(!u.sysadmin, "sysadmin {key} got {:?}", a.operation);
            prop_assert!(i != 0, "the acting admin got {:?}", a.operation);
        }
    }

    #[test]
    fn paged_rendering_agrees_with_the_whole_sorted_list(
        users in prop::collection::vec(user_strategy(), 1..60),
        policies in prop::collection::vec(policy_strategy(), 1..5),
        stride in 1usize..8,
        preview in any::<bool>(),
    ) {
        // Keys out of index order (7 is coprime with 1000: all distinct).
        let json = snapshot_keyed(&users, |i| format!("K{:03}", (i * 7 + 3) % 1000));
        let index = DirectoryIndex::from_snapshot_json(&json).unwrap();
        let ctx = EvalContext { preview, ..ctx() };
        let plan = evaluate(&config(&policies), &index, Millis(NOW), &ctx);
        let whole = reference::actions(&plan, &index);
        let order = PlanOrder::new(&plan, &index);
        prop_assert_eq!(order.action_count(), whole.len() as u64);
        prop_assert_eq!(order.hash(), reference::hash(&whole));
        prop_assert_eq!(order.totals(), &reference::totals(&plan, &whole));
        prop_assert_eq!(&plan.actions(&index), &whole);
        prop_assert_eq!(plan.skips(&index), reference::skips(&plan, &index));
        let mut paged = Vec::new();
        loop {
            let page = order.actions_page(&plan, &index, paged.len() as u64, stride);
            prop_assert!(page.len() <= stride);
            if page.is_empty() {
                break;
            }
            paged.extend(page);
        }
        prop_assert_eq!(&paged, &whole);
        let skips = reference::skips(&plan, &index);
        let mut paged_skips = Vec::new();
        while paged_skips.len() < order.skip_count() {
            paged_skips.extend(order.skips_page(&plan, &index, paged_skips.len(), stride));
        }
        prop_assert_eq!(&paged_skips, &skips);
        let by_reason: u64 = PlanOrder::skip_totals(&plan).iter().map(|t| t.users).sum();
        prop_assert_eq!(by_reason, skips.len() as u64);
    }

    #[test]
    fn safe_and_live_plans_are_identical_apart_from_the_mode(
        users in prop::collection::vec(user_strategy(), 1..40),
        policies in prop::collection::vec(policy_strategy(), 1..5),
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let safe: Vec<P> = policies.iter().map(|p| P { live: false, ..*p }).collect();
        let live: Vec<P> = policies.iter().map(|p| P { live: true, ..*p }).collect();
        let a = evaluate(&config(&safe), &index, Millis(NOW), &ctx());
        let b = evaluate(&config(&live), &index, Millis(NOW), &ctx());
        prop_assert_eq!(a.mode(), seatwarden_core::plan::PlanMode::Preview);
        prop_assert_eq!(b.mode(), seatwarden_core::plan::PlanMode::Live);
        let strip = |plan: &Plan| -> Vec<_> {
            plan.actions(&index).into_iter().map(|x| (x.operation, x.source, x.reason)).collect()
        };
        prop_assert!(a.actions(&index).iter().all(|x| x.mode == Mode::Safe));
        prop_assert!(b.actions(&index).iter().all(|x| x.mode == Mode::Live));
        prop_assert_eq!(strip(&a), strip(&b));
        prop_assert_eq!(a.skips(&index), b.skips(&index));
        prop_assert_eq!(&a.warnings, &b.warnings);
        prop_assert_eq!(&a.guard, &b.guard);
        prop_assert_eq!(&a.health, &b.health);
        prop_assert_eq!(a.hash(&index), b.hash(&index));
        prop_assert_eq!(a.totals(&index), b.totals(&index));
    }

    #[test]
    fn raising_a_threshold_never_adds_users(
        users in prop::collection::vec(user_strategy(), 1..40),
        p in policy_strategy(),
        raise in 0u32..100,
        raise_never in 0u32..100,
        raise_once in 0u32..100,
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let higher = P {
            days: p.days + raise,
            never: p.never.map(|d| d + raise_never),
            once: p.once.map(|d| d + raise_once),
            ..p.clone()
        };
        let low = evaluate(&config(std::slice::from_ref(&p)), &index, Millis(NOW), &ctx());
        let high = evaluate(&config(&[higher]), &index, Millis(NOW), &ctx());
        let extra = acted(&high) - acted(&low);
        prop_assert!(extra.is_empty(), "raising thresholds added {:?}", extra);
    }

    #[test]
    fn the_hash_changes_exactly_when_the_writes_change(
        users in prop::collection::vec(user_strategy(), 1..30),
        a in prop::collection::vec(policy_strategy(), 1..3),
        b in prop::collection::vec(policy_strategy(), 1..3),
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let pa = evaluate(&config(&a), &index, Millis(NOW), &ctx());
        let pb = evaluate(&config(&b), &index, Millis(NOW), &ctx());
        let writes = |plan: &Plan| -> Vec<_> {
            plan.actions(&index).into_iter().map(|x| (x.source, x.operation)).collect()
        };
        let same_writes = writes(&pa) == writes(&pb);
        prop_assert_eq!(same_writes, pa.hash(&index) == pb.hash(&index));
        // Re-evaluating gives the same plan and hash (determinism).
        let again = evaluate(&config(&a), &index, Millis(NOW), &ctx());
        prop_assert_eq!(pa.hash(&index), again.hash(&index));
    }
}

#[test]
fn dropping_one_write_changes_the_hash() {
    let users: Vec<U> = (0..6)
        .map(|i| U {
            active: true,
            last_login_days: Some(100 + i),
            created_days: 500,
            login_count: Some(5),
            deactivated_days: None,
            groups: 0b0010,
            read_only_dir: false,
            sysadmin: false,
        })
        .collect();
    let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
    let p = P {
        kind: 5,
        days: 30,
        never: None,
        once: None,
        priority: 0,
        live: true,
        membership_only: false,
        only_team: false,
    };
    let mut plan = evaluate(&config(&[p]), &index, Millis(NOW), &EvalContext::default());
    let before = plan.hash(&index);
    assert_eq!(plan.actions(&index).len(), 6);
    plan.outcomes[0].account_users.remove(3);
    assert_eq!(plan.actions(&index).len(), 5);
    assert_ne!(plan.hash(&index), before);
}
