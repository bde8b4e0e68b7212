//! Random directories and policies for the policy engine's property tests
//! (`policy_properties`, `matched_sets`): users with random activity,
//! groups, directories and states; policies of every scheduled kind.
#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use roaring::RoaringBitmap;
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::exemption::{Exemption, ExemptionScope, GrantedBy};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::Plan;
use seatwarden_core::policy::PolicyId;
use seatwarden_core::{Millis, UserKey};
use serde_json::{Value, json};

pub(crate) const NOW: i64 = 1_795_226_400_000; // 2026-11-21T02:00:00Z
pub(crate) const DAY: i64 = 86_400_000;
pub(crate) const GROUPS: [&str; 5] = ["protected", "licensed-a", "licensed-b", "team", "tag"];

#[derive(Clone, Debug)]
pub(crate) struct U {
    pub(crate) active: bool,
    pub(crate) last_login_days: Option<i64>,
    pub(crate) created_days: i64,
    pub(crate) login_count: Option<u32>,
    pub(crate) deactivated_days: Option<i64>,
    pub(crate) groups: u8,
    pub(crate) read_only_dir: bool,
    pub(crate) sysadmin: bool,
    /// Days ago of `lastAuthenticated`, `seen:jira-software`, `seen:confluence`
    /// (used only by directories that declare the signals).
    pub(crate) activity: [Option<i64>; 3],
}

/// An extra signal's date: none, days ago, or a future-proof recent one.
pub(crate) fn signal_days() -> impl Strategy<Value = Option<i64>> {
    prop::option::weighted(0.6, 0i64..400)
}

pub(crate) fn user_strategy() -> impl Strategy<Value = U> {
    (
        any::<bool>(),
        prop::option::of(0i64..400),
        0i64..400,
        prop::option::of(0u32..4),
        prop::option::of(0i64..300),
        0u8..32,
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.1),
        [signal_days(), signal_days(), signal_days()],
    )
        .prop_map(
            |(active, last, created_extra, count, deact, groups, ro, sysadmin, activity)| {
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
                    activity,
                }
            },
        )
}

pub(crate) fn snapshot(users: &[U]) -> Vec<u8> {
    snapshot_keyed(users, |i| format!("K{i:03}"))
}

/// As [`snapshot`], with `lastAuthenticated` and two per-product `seen`
/// signals recorded (each user's [`U::activity`]).
pub(crate) fn snapshot_with_signals(users: &[U]) -> Vec<u8> {
    let mut doc: Value = serde_json::from_slice(&snapshot(users)).unwrap();
    doc["header"]["signals"] = json!([{"kind": "lastAuthenticated"},
        {"kind": "seen", "product": "jira-software"}, {"kind": "seen", "product": "confluence"}]);
    let rows = doc["pages"][0]["users"].as_array_mut().unwrap();
    for (row, u) in rows.iter_mut().zip(users) {
        row["activity"] = Value::Array(
            u.activity
                .iter()
                .map(|d| d.map_or(Value::Null, |d| json!(NOW - d * DAY)))
                .collect(),
        );
    }
    serde_json::to_vec(&doc).unwrap()
}

/// A directory: plain (login only) or with the extra signals.
pub(crate) fn directory(users: &[U], signals: bool) -> DirectoryIndex {
    let json = if signals {
        snapshot_with_signals(users)
    } else {
        snapshot(users)
    };
    DirectoryIndex::from_snapshot_json(&json).unwrap()
}

/// As [`snapshot`], user `i` keyed `key(i)` (keys out of index order test
/// that plans list users in key order).
pub(crate) fn snapshot_keyed(users: &[U], key: impl Fn(usize) -> String) -> Vec<u8> {
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
            "licences": [
                {"application": "a", "name": "A", "limit": {"kind": "limited", "seats": 50},
                 "seatsUsed": 0, "groups": ["licensed-a", "licensed-b"]},
                {"application": "b", "name": "B", "limit": {"kind": "unlimited"},
                 "seatsUsed": 0, "groups": ["licensed-b"]}
            ],
            "sysadmins": sysadmins
        },
        "pages": [{"users": us}]
    }))
    .unwrap()
}

#[derive(Clone, Debug)]
pub(crate) struct P {
    pub(crate) kind: u8,
    pub(crate) days: u32,
    pub(crate) never: Option<u32>,
    pub(crate) once: Option<u32>,
    pub(crate) priority: i32,
    pub(crate) live: bool,
    pub(crate) membership_only: bool,
    pub(crate) only_team: bool,
    /// Warn this many days before (kept below the threshold).
    pub(crate) warn: Option<u32>,
    /// The policy's own counted signals (bits over [`SIGNAL_CHOICES`]);
    /// `None` counts the settings'.
    pub(crate) signals: Option<u8>,
}

/// The names a policy's `signals` may pick from.
pub(crate) const SIGNAL_CHOICES: [&str; 5] = [
    "login",
    "lastAuthenticated",
    "seen",
    "seen:jira-software",
    "seen:confluence",
];

pub(crate) fn policy_strategy() -> impl Strategy<Value = P> {
    (
        0u8..6,
        1u32..300,
        prop::option::of(1u32..300),
        prop::option::of(1u32..300),
        -3i32..3,
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.3),
        prop::option::weighted(0.3, 1u32..60),
    )
        .prop_map(
            |(kind, days, never, once, priority, live, membership_only, only_team, warn)| P {
                kind,
                days,
                never,
                once,
                priority,
                live,
                membership_only,
                only_team,
                warn,
                signals: None,
            },
        )
}

/// As [`policy_strategy`], half of them counting their own signals.
pub(crate) fn policy_with_signals() -> impl Strategy<Value = P> {
    (policy_strategy(), prop::option::of(1u8..32)).prop_map(|(p, signals)| P { signals, ..p })
}

/// The settings' counted signals: at least one of login, lastAuthenticated, seen.
pub(crate) fn activity_strategy() -> impl Strategy<Value = Value> {
    (1u8..8).prop_map(|bits| {
        json!({"login": bits & 1 != 0, "lastAuthenticated": bits & 2 != 0, "seen": bits & 4 != 0})
    })
}

pub(crate) fn policy_json(i: usize, p: &P) -> Value {
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
    let mut policy = json!({"id": format!("p{i}"), "priority": p.priority, "mode": if p.live { "live" } else { "safe" },
           "scope": scope, "condition": condition, "action": action});
    // Only an inactivity condition counts signals (`deactivated` is kind 4).
    if let Some(bits) = p.signals
        && p.kind != 4
    {
        let names: Vec<&str> = SIGNAL_CHOICES
            .iter()
            .enumerate()
            .filter(|(b, _)| bits & (1 << b) != 0)
            .map(|(_, n)| *n)
            .collect();
        policy["signals"] = json!(names);
    }
    if let Some(w) = p.warn
        && p.kind != 4
    {
        let mut least = p.days;
        for d in [p.never, p.once].into_iter().flatten() {
            least = least.min(d);
        }
        if least > 1 {
            policy["warning"] = json!({"daysBefore": w.min(least - 1), "neverLoggedIn": w % 2 == 0 && p.never.is_some()});
        }
    }
    policy
}

pub(crate) fn config(policies: &[P]) -> Config {
    config_counting(
        policies,
        &json!({"login": true, "lastAuthenticated": true, "seen": true}),
    )
}

/// As [`config`], the settings counting the signals of `activity`.
pub(crate) fn config_counting(policies: &[P], activity: &Value) -> Config {
    let ps: Vec<Value> = policies
        .iter()
        .enumerate()
        .map(|(i, p)| policy_json(i, p))
        .collect();
    Config::from_value(json!({"version": 1,
        "settings": {"protectedGroups": ["protected"], "activity": activity}, "policies": ps}))
    .unwrap()
}

/// An exemption of user `user` (scope: every policy, or policy `p<n>`) that
/// lapses `until` milliseconds after [`NOW`] (`None`: indefinite).
#[derive(Clone, Debug)]
pub(crate) struct X {
    pub(crate) user: usize,
    pub(crate) policy: Option<usize>,
    pub(crate) until: Option<i64>,
}

/// Exemptions lapsing before, inside and after the 90-day horizon, at
/// random instants of the day (the crossing rounds up), or never.
pub(crate) fn exemption_strategy() -> impl Strategy<Value = X> {
    (
        0usize..40,
        prop::option::of(0usize..5),
        prop::option::weighted(0.85, -5 * DAY..120 * DAY),
    )
        .prop_map(|(user, policy, until)| X {
            user,
            policy,
            until,
        })
}

/// The evaluation context of [`ctx`] with exemptions `xs` (of users that exist).
pub(crate) fn ctx_exempting(xs: &[X], users: usize) -> EvalContext {
    let exemptions = xs
        .iter()
        .filter(|x| x.user < users)
        .map(|x| Exemption {
            user: UserKey::from(format!("K{:03}", x.user).as_str()),
            scope: match x.policy {
                None => ExemptionScope::All,
                Some(p) => ExemptionScope::Policy(PolicyId::from(format!("p{p}").as_str())),
            },
            until: x.until.map(|t| Millis(NOW + t)),
            reason: "kept for the test".to_owned(),
            granted_by: GrantedBy::Admin {
                admin: UserKey::from("K000"),
            },
            created_at: Millis(NOW - DAY),
        })
        .collect();
    EvalContext {
        exemptions,
        ..ctx()
    }
}

pub(crate) fn ctx() -> EvalContext {
    EvalContext {
        acting_admin: Some(UserKey::from("K000")),
        ..EvalContext::default()
    }
}

pub(crate) fn acted(plan: &Plan) -> RoaringBitmap {
    let mut all = RoaringBitmap::new();
    for o in &plan.outcomes {
        all |= o.acted_on();
    }
    all
}
