//! Costs settings, the Cloud migration plan and the savings attribution, on
//! the hand-made fixture (every figure worked out by reading it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/fixture.rs"]
mod fixture;

use fixture::{T, index};
use seatwarden_core::activity::ActivitySettings;
use seatwarden_core::config::Config;
use seatwarden_core::config::costs::Cents;
use seatwarden_core::index::UserChange;
use seatwarden_core::migration::{LeaveOut, migration_plan};
use seatwarden_core::savings::licences_freed;
use seatwarden_core::{GroupName, Millis, UserKey};
use serde_json::json;

fn with_costs(costs: serde_json::Value) -> Result<Config, Vec<(String, String)>> {
    Config::from_value(json!({"version": 1, "settings": {"costs": costs}, "policies": []})).map_err(
        |e| {
            e.issues()
                .into_iter()
                .map(|i| (i.path, i.message))
                .collect()
        },
    )
}

#[test]
fn costs_round_trip_in_cents() {
    let c = with_costs(json!({"currency": "EUR", "renewalDate": "2027-06-30",
        "applications": [{"application": "jira-software", "seatPrice": 52.5, "cloudUserPrice": 8.6}]}))
    .unwrap();
    let costs = &c.settings.costs;
    assert_eq!(costs.currency.as_deref(), Some("EUR"));
    let p = costs.of(&"jira-software".into()).unwrap();
    assert_eq!(
        (p.seat_price, p.cloud_user_price),
        (Some(Cents(5250)), Some(Cents(860)))
    );
    let back = serde_json::to_value(&c.settings.costs).unwrap();
    assert_eq!(back["applications"][0]["seatPrice"], json!(52.5));
    assert_eq!(with_costs(back).unwrap().settings.costs, c.settings.costs);
}

#[test]
fn bad_costs_name_every_field() {
    let issues = with_costs(json!({"currency": "eur", "renewalDate": "2027-02-30",
    "applications": [
        {"application": "jira-software", "seatPrice": 1.005},
        {"application": "jira-software", "cloudUserPrice": -1},
        {"application": "confluence", "price": 3}
    ]}))
    .unwrap_err();
    let paths: Vec<&str> = issues.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "settings.costs.currency",
            "settings.costs.renewalDate",
            "settings.costs.applications[0].seatPrice",
            "settings.costs.applications[1].cloudUserPrice",
            "settings.costs.applications[1].application",
            "settings.costs.applications[2].price",
        ],
        "{issues:?}"
    );
    let none =
        with_costs(json!({"applications": [{"application": "a", "seatPrice": 3}]})).unwrap_err();
    assert_eq!(
        none,
        vec![(
            "settings.costs.currency".to_owned(),
            "prices need a currency".to_owned()
        )]
    );
}

#[test]
fn the_migration_plan_leaves_out_deactivated_never_and_idle_users_per_product() {
    let ix = index();
    let costs = with_costs(json!({"currency": "USD",
        "applications": [{"application": "jira-software", "cloudUserPrice": 8.6}]}))
    .unwrap()
    .settings
    .costs;
    let (plan, who) = migration_plan(&ix, &ActivitySettings::default(), &costs, Millis(T), 90);
    // carol is deactivated; dave and erin never logged in; Bob is idle 100 days.
    assert_eq!(
        (plan.deactivated, plan.never_logged_in, plan.inactive),
        (1, 2, 1)
    );
    let jsw = &plan.products[0];
    // Seat holders: admin, alice, dave; dave never logged in; carol is a deactivated member.
    assert_eq!(
        (
            jsw.seats_used,
            jsw.inactive,
            jsw.never_logged_in,
            jsw.deactivated
        ),
        (3, 0, 1, 1)
    );
    assert_eq!((jsw.cloud_seats_left_out, jsw.cloud_seats_needed), (1, 2));
    assert_eq!(jsw.monthly_cost_left_out, Some(Cents(860)));
    assert_eq!(plan.monthly_cost_left_out, Some(Cents(860)));
    assert_eq!(plan.products[1].monthly_cost_left_out, None);
    let reasons: Vec<(String, LeaveOut)> = who
        .users()
        .into_iter()
        .map(|(u, r)| (ix.username(u).to_owned(), r))
        .collect();
    assert_eq!(
        reasons,
        vec![
            ("Bob".to_owned(), LeaveOut::Inactive),
            ("carol".to_owned(), LeaveOut::Deactivated),
            ("dave".to_owned(), LeaveOut::NeverLoggedIn),
            ("erin".to_owned(), LeaveOut::NeverLoggedIn),
        ]
    );
    // 30 days: frank (40 days idle) joins the inactive.
    let (plan, _) = migration_plan(&ix, &ActivitySettings::default(), &costs, Millis(T), 30);
    assert_eq!(plan.inactive, 2);
}

#[test]
fn savings_name_the_seats_an_audited_change_freed() {
    let mut ix = index();
    let key = |n: u32| UserKey::from(format!("JIRAUSER{}", 10_000 + n));
    // carol (deactivated, still in jira-software-users) held a Jira Software seat.
    assert_eq!(licences_freed(&ix, &key(3), None), vec![0]);
    // Bob is in no licence group; an unknown user names nothing.
    assert!(licences_freed(&ix, &key(2), None).is_empty());
    assert!(licences_freed(&ix, &UserKey::from("nobody"), None).is_empty());
    let jsw = GroupName::from("jira-software-users");
    // alice is still in the group: a removal entry for her freed nothing (yet).
    assert!(licences_freed(&ix, &key(1), Some(&jsw)).is_empty());
    let alice = ix.index_of_username("alice").unwrap();
    ix.apply(alice, &UserChange::RemovedFromGroup { group: jsw.clone() })
        .unwrap();
    assert_eq!(licences_freed(&ix, &key(1), Some(&jsw)), vec![0]);
    // A group that grants no licence frees nothing.
    assert!(licences_freed(&ix, &key(1), Some(&GroupName::from("Developers"))).is_empty());
}
