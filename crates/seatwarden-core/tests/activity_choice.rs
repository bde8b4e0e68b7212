//! The Users tab and the engine read one activity date (issue 23), and a
//! policy may choose its own counted signals (issue 23's per-policy signal
//! choice = issue 20's per-product conditions).
//!
//! - Property: for every user, the Users tab's "inactive for N days" filter
//!   (`notWithin N`, minus users with no activity) holds exactly when the
//!   engine's N-day inactivity policy acts on them, under any settings.
//! - A policy's `signals` replaces the settings for it: "inactive in
//!   Confluence" ignores Jira use, "ignore the login date" ignores logins;
//!   its reasons name only its signals; a signal the directory does not
//!   record is a plan warning, and a policy none of whose signals is
//!   recorded matches nobody (never everyone).
//! - Unknown signal names are refused with the closest known one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use roaring::RoaringBitmap;
use seatwarden_core::Millis;
use seatwarden_core::activity::ActivitySettings;
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use seatwarden_core::plan::{Plan, PlanWarning};
use seatwarden_core::query::{Activity, Query, SortField, StatusFilter};
use serde_json::{Value, json};

const NOW: i64 = 1_795_226_400_000; // 2026-11-21T02:00:00Z
const DAY: i64 = 86_400_000;

fn at(v: Option<i64>) -> Value {
    v.map_or(Value::Null, |t| json!(t))
}

/// One user: key, active, last login, values of the signals (instants in ms).
type Row = (String, bool, Option<i64>, Vec<Option<i64>>);

/// A snapshot with `signals` declared and `users`.
fn index(signals: Value, users: &[Row]) -> DirectoryIndex {
    let users: Vec<Value> = users
        .iter()
        .map(|(key, active, login, values)| {
            let mut u = json!({"key": key, "username": key.to_lowercase(), "directoryId": 1,
                "active": active, "created": NOW - 900 * DAY, "lastLogin": at(*login),
                "loginCount": login.map(|_| 9), "groups": ["staff"]});
            if !values.is_empty() {
                u["activity"] = Value::Array(values.iter().map(|v| at(*v)).collect());
            }
            u
        })
        .collect();
    let snapshot = json!({"format": "seatwarden-snapshot", "version": 1,
        "header": {"takenAt": NOW, "directories": [{"id": 1, "name": "Internal", "kind": "internal",
            "capabilities": {"updateUser": true, "renameUser": true, "deleteUser": true,
                             "createUser": true, "updateMembership": true}}],
            "groups": [{"name": "staff"}], "signals": signals},
        "pages": [{"users": users}]});
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snapshot).unwrap()).unwrap()
}

fn config(activity: Value, policy_extra: Value) -> Config {
    let mut policy = json!({"id": "idle", "name": "Idle", "enabled": true, "mode": "safe",
        "priority": 0, "trigger": {"kind": "scheduler"},
        "condition": {"kind": "inactive", "days": 90},
        "action": {"kind": "deactivate"}});
    if let (Some(p), Some(extra)) = (policy.as_object_mut(), policy_extra.as_object()) {
        for (k, v) in extra {
            p.insert(k.clone(), v.clone());
        }
    }
    Config::from_value(json!({"version": 1, "settings": {"activity": activity},
        "policies": [policy]}))
    .unwrap()
}

fn plan(config: &Config, idx: &DirectoryIndex) -> Plan {
    evaluate(config, idx, Millis(NOW), &EvalContext::default())
}

fn acted(plan: &Plan, idx: &DirectoryIndex) -> Vec<String> {
    let mut keys: Vec<String> = plan
        .actions(idx)
        .into_iter()
        .map(|a| idx.key(UserIdx(a.idx)).to_owned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// An instant around the threshold: far, near (either side of the exact
/// millisecond), or none.
fn instant() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        Just(None),
        (0i64..400).prop_map(|d| Some(NOW - d * DAY)),
        (-2i64..=2).prop_map(|ms| Some(NOW - 90 * DAY + ms)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_inactive_filter_agrees_with_the_engine_for_every_user(
        users in prop::collection::vec(
            (any::<bool>(), instant(), instant(), instant(), instant()), 1..40),
        login in any::<bool>(),
        last_authenticated in any::<bool>(),
        seen in any::<bool>(),
    ) {
        prop_assume!(login || last_authenticated || seen);
        let rows: Vec<Row> = users
            .iter()
            .enumerate()
            .map(|(i, (active, l, a, s1, s2))| (format!("U{i}"), *active, *l, vec![*a, *s1, *s2]))
            .collect();
        // Two `seen` signals (per product, as Cloud declares them) and one
        // `lastAuthenticated`.
        let idx = index(
            json!([{"kind": "lastAuthenticated"}, {"kind": "seen", "product": "confluence"},
                   {"kind": "seen", "product": "jira-software"}]),
            &rows,
        );
        let activity = json!({"login": login, "lastAuthenticated": last_authenticated, "seen": seen});
        let settings = ActivitySettings { login, last_authenticated, seen };
        let engine = acted(&plan(&config(activity, json!({})), &idx), &idx);

        let query = |activity: Activity| -> RoaringBitmap {
            let q = Query { status: StatusFilter::Active, activity, ..Query::default() };
            idx.matching_counted(&q, Millis(NOW), &settings).unwrap()
        };
        let inactive = query(Activity::NotWithin { days: 90 }) - query(Activity::Never);
        let mut listed: Vec<String> =
            inactive.iter().map(|i| idx.key(UserIdx(i)).to_owned()).collect();
        listed.sort();
        prop_assert_eq!(&listed, &engine);

        // "Within" is the complement among active users with a date.
        let within = query(Activity::Within { days: 90 });
        prop_assert!((&within & &inactive).is_empty());
        prop_assert_eq!(
            within.len() + inactive.len() + query(Activity::Never).len(),
            query(Activity::All).len()
        );
        // Each listed row's idle date is the engine's date.
        let page = idx
            .query_counted(
                &Query { sort: SortField::LastActivity, page_size: 100, ..Query::default() },
                Millis(NOW),
                &settings,
            )
            .unwrap();
        let mask = idx.signal_mask(&settings);
        let mut previous = None;
        for row in &page.rows {
            let i = idx.index_of_key(&row.key).unwrap();
            prop_assert_eq!(row.last_activity, idx.last_activity(i, mask));
            // Sorted by last activity, no activity first.
            prop_assert!(previous <= Some(row.last_activity));
            previous = Some(row.last_activity);
        }
    }
}

fn two_products() -> DirectoryIndex {
    index(
        json!([{"kind": "seen", "product": "jira-software"},
               {"kind": "seen", "product": "confluence"}]),
        &[
            // Works in Jira every day, left Confluence 200 days ago.
            (
                "JIRA-ONLY".into(),
                true,
                None,
                vec![Some(NOW - DAY), Some(NOW - 200 * DAY)],
            ),
            // Uses Confluence daily.
            ("CONF".into(), true, None, vec![None, Some(NOW - 2 * DAY)]),
            // Never opened Confluence.
            (
                "NO-CONF".into(),
                true,
                None,
                vec![Some(NOW - 3 * DAY), None],
            ),
            // Idle everywhere.
            (
                "IDLE".into(),
                true,
                None,
                vec![Some(NOW - 300 * DAY), Some(NOW - 120 * DAY)],
            ),
        ],
    )
}

#[test]
fn inactive_in_confluence_ignores_jira_use() {
    let idx = two_products();
    // The settings' signals (every product): only the idle user.
    assert_eq!(
        acted(&plan(&config(json!({}), json!({})), &idx), &idx),
        ["IDLE"]
    );
    // "Inactive in Confluence for 90 days": Jira use does not count.
    let conf = config(
        json!({}),
        json!({"signals": ["seen:confluence"], "condition":
               {"kind": "inactive", "days": 90, "neverLoggedInDays": 30}}),
    );
    let p = plan(&conf, &idx);
    assert_eq!(acted(&p, &idx), ["IDLE", "JIRA-ONLY", "NO-CONF"]);
    let actions = p.actions(&idx);
    let reason = actions
        .iter()
        .find(|a| idx.key(UserIdx(a.idx)) == "JIRA-ONLY")
        .unwrap()
        .reason
        .to_string();
    // Only the policy's signal is named: Jira's recent date is no reason.
    assert_eq!(
        reason,
        "last active in Confluence 2026-05-05, 200 days ≥ 90"
    );
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
}

#[test]
fn a_policy_can_ignore_the_login_date() {
    // Logged in yesterday (a cron job's Basic auth) but the plugin never
    // saw a person for 120 days.
    let idx = index(
        json!([{"kind": "seen"}]),
        &[
            (
                "BOT".into(),
                true,
                Some(NOW - DAY),
                vec![Some(NOW - 120 * DAY)],
            ),
            (
                "HUMAN".into(),
                true,
                Some(NOW - 200 * DAY),
                vec![Some(NOW - DAY)],
            ),
        ],
    );
    assert!(acted(&plan(&config(json!({}), json!({})), &idx), &idx).is_empty());
    let ignore_login = config(json!({}), json!({"signals": ["seen", "lastAuthenticated"]}));
    let p = plan(&ignore_login, &idx);
    assert_eq!(acted(&p, &idx), ["BOT"]);
    // `lastAuthenticated` is not recorded here: said, not guessed.
    assert_eq!(
        p.warnings,
        vec![PlanWarning::UnrecordedSignal {
            source: seatwarden_core::plan::ActionSource::Policy {
                id: seatwarden_core::policy::PolicyId::from("idle")
            },
            signal: seatwarden_core::activity::SignalRef::parse("lastAuthenticated").unwrap(),
            matches_nobody: false,
        }]
    );
}

#[test]
fn a_policy_none_of_whose_signals_is_recorded_matches_nobody() {
    let idx = two_products();
    // Cloud has no login: a policy counting login alone must not see
    // everyone as never active, even with a never-logged-in threshold.
    for signals in [json!(["login"]), json!(["seen:bitbucket"])] {
        let p = plan(
            &config(
                json!({}),
                json!({"signals": signals, "condition":
                       {"kind": "inactive", "days": 90, "neverLoggedInDays": 1}}),
            ),
            &idx,
        );
        assert!(acted(&p, &idx).is_empty(), "{signals}");
        assert!(
            p.warnings.iter().any(|w| w.to_string().ends_with(
                "which this directory does not record: none of its signals is recorded, so it matches nobody"
            )),
            "{:?}",
            p.warnings
        );
    }
}

#[test]
fn unknown_signal_names_are_refused_with_the_closest_one() {
    let refused = |signals: Value| -> String {
        let err = Config::from_value(json!({"version": 1, "policies": [
            {"id": "p", "condition": {"kind": "inactive", "days": 90},
             "action": {"kind": "deactivate"}, "signals": signals}]}))
        .unwrap_err();
        err.to_string()
    };
    let e = refused(json!(["lastAuthentcated"]));
    assert!(e.contains("policies[0].signals[0]"), "{e}");
    assert!(e.contains("did you mean `lastAuthenticated`?"), "{e}");
    let e = refused(json!(["seen:confluense"]));
    assert!(
        e.contains("unknown product `confluense`; did you mean `confluence`?"),
        "{e}"
    );
    let e = refused(json!(["login:jira-software"]));
    assert!(e.contains("takes no `:<product>`"), "{e}");
    let e = refused(json!([]));
    assert!(e.contains("at least one signal"), "{e}");
    let e = refused(json!(["seen", "seen"]));
    assert!(e.contains("listed twice"), "{e}");
    // Only inactivity conditions count signals.
    let err = Config::from_value(json!({"version": 1, "policies": [
        {"id": "d", "condition": {"kind": "deactivated", "days": 30},
         "action": {"kind": "delete"}, "signals": ["seen"]}]}))
    .unwrap_err()
    .to_string();
    assert!(err.contains("only an inactivity condition"), "{err}");
    // A well-formed new product key is accepted (the plan reports it if
    // the directory has no such signal), and the choice round-trips.
    let ok = Config::from_value(json!({"version": 1, "policies": [
        {"id": "p", "condition": {"kind": "inactive", "days": 90},
         "action": {"kind": "deactivate"}, "signals": ["seen:rovo", "login"]}]}))
    .unwrap();
    let again = Config::parse(&ok.to_json()).unwrap();
    assert_eq!(again.policies[0].signals, ok.policies[0].signals);
    let stored: Value = serde_json::from_str(&ok.to_json()).unwrap();
    assert_eq!(
        stored["policies"][0]["signals"],
        json!(["seen:rovo", "login"])
    );
}

#[test]
fn the_users_tab_filters_by_one_products_activity_like_the_rule() {
    use seatwarden_core::activity::SignalRef;
    use seatwarden_core::query::QueryErrorKind;
    let idx = two_products();
    let in_confluence = Some(vec![SignalRef::parse("seen:confluence").unwrap()]);
    let q = Query {
        status: StatusFilter::Active,
        activity: Activity::NotWithin { days: 90 },
        signals: in_confluence.clone(),
        ..Query::default()
    };
    let listed: Vec<String> = idx
        .matching(&q, Millis(NOW))
        .unwrap()
        .iter()
        .map(|i| idx.key(UserIdx(i)).to_owned())
        .collect();
    let rule = config(
        json!({}),
        json!({"signals": ["seen:confluence"], "condition":
               {"kind": "inactive", "days": 90, "neverLoggedInDays": 1}}),
    );
    let mut listed_sorted = listed.clone();
    listed_sorted.sort();
    assert_eq!(listed_sorted, acted(&plan(&rule, &idx), &idx));
    // The rows show that product's date only.
    let page = idx
        .query(
            &Query {
                signals: in_confluence,
                ..Query::default()
            },
            Millis(NOW),
        )
        .unwrap();
    let jira_only = page
        .rows
        .iter()
        .find(|r| r.key.as_str() == "JIRA-ONLY")
        .unwrap();
    assert_eq!(jira_only.last_activity, Some(Millis(NOW - 200 * DAY)));
    assert_eq!(jira_only.signals.len(), 1);
    assert_eq!(
        jira_only.inactive_because.text,
        "last active in Confluence 2026-05-05, 200 days ago"
    );
    // A product the directory has no signal for is refused, not guessed.
    let e = idx
        .query(
            &Query::from_json(br#"{"signals": ["seen:bitbucket"]}"#).unwrap(),
            Millis(NOW),
        )
        .unwrap_err();
    assert_eq!(e.kind(), QueryErrorKind::UnrecordedSignal);
    assert_eq!(
        e.to_string(),
        "field `signals`: this directory records no signal `seen:bitbucket`"
    );
    let e = Query::from_json(br#"{"signals": ["seen:confluense"]}"#).unwrap_err();
    assert!(e.to_string().contains("did you mean `confluence`?"), "{e}");
}
