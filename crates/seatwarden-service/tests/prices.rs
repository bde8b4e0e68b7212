//! Issue 22, prices in Settings: the currency, the renewal date and per
//! application the seat and Cloud prices are part of the settings document,
//! so `PUT /api/settings` version-checks them (409 on a stale version),
//! audits them old → new, and refuses bad ones with field errors in words
//! (negative, non-numeric, an unknown currency code, an application the
//! instance has no licence of), changing nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_service::api::Method;

/// Puts `costs` into the current settings: status and answer.
fn put_costs(f: &Fixture, costs: Value, version: Value) -> (u16, Value) {
    let (_, current) = call(&f.service, Method::Get, "/api/settings", None, DAY0);
    let mut settings = current["settings"].clone();
    settings["costs"] = costs;
    call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": version, "settings": settings})),
        DAY0,
    )
}

fn problems(body: &Value) -> Vec<(String, String)> {
    body["error"]["details"]["problems"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["path"].as_str().unwrap_or_default().to_owned(),
                        p["message"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn licensed(f: &Fixture) -> String {
    let (_, licences) = call(&f.service, Method::Get, "/api/licences", None, DAY0);
    licences["applications"][0]["application"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn bad_prices_are_refused_with_a_reason_per_field_and_change_nothing() {
    let f = fixture(5, 5, 0);
    let app = licensed(&f);
    let version = json!(f.service.settings().version.0);
    let cases = [
        (
            json!({"currency": "EUR", "applications": [{"application": app, "seatPrice": -5}]}),
            "settings.costs.applications[0].seatPrice",
            "must not be negative",
        ),
        (
            json!({"currency": "EUR", "applications": [{"application": app, "cloudUserPrice": "eight"}]}),
            "settings.costs.applications[0].cloudUserPrice",
            "must be a number such as 52.50",
        ),
        (
            json!({"currency": "EUR", "applications": [{"application": app, "seatPrice": 1.005}]}),
            "settings.costs.applications[0].seatPrice",
            "at most two decimals",
        ),
        (
            json!({"currency": "EUE", "applications": []}),
            "settings.costs.currency",
            "`EUE` is not a currency in circulation",
        ),
        (
            json!({"currency": "eur", "applications": []}),
            "settings.costs.currency",
            "three capital letters",
        ),
        (
            json!({"currency": "EUR", "applications": [{"application": "jira-softwear", "seatPrice": 50}]}),
            "settings.costs.applications[0].application",
            "no licensed application `jira-softwear`",
        ),
    ];
    for (costs, path, words) in cases {
        let (status, body) = put_costs(&f, costs.clone(), version.clone());
        assert_eq!(status, 422, "{costs}: {body}");
        let ps = problems(&body);
        assert!(
            ps.iter().any(|(p, m)| p == path && m.contains(words)),
            "{costs}: {ps:?}"
        );
        assert_eq!(json!(f.service.settings().version.0), version, "{costs}");
    }
    assert!(
        f.service
            .settings()
            .config
            .settings
            .costs
            .applications
            .is_empty()
    );
}

#[test]
fn prices_are_saved_version_checked_and_audited_old_to_new() {
    let f = fixture(5, 5, 0);
    let app = licensed(&f);
    let first = json!(f.service.settings().version.0);
    let (status, saved) = put_costs(
        &f,
        json!({"currency": "EUR", "renewalDate": "2027-06-30",
               "applications": [{"application": app, "seatPrice": 52.5, "cloudUserPrice": 8.6}]}),
        first.clone(),
    );
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["settings"]["costs"]["applications"][0]["seatPrice"],
        52.5
    );
    // A second admin still holding the first version is refused.
    let (status, stale) = put_costs(&f, json!({"currency": "USD", "applications": []}), first);
    assert_eq!(status, 409, "{stale}");
    assert_eq!(
        f.service
            .settings()
            .config
            .settings
            .costs
            .currency
            .as_deref(),
        Some("EUR")
    );
    // Raised with the current version: audited with the old and new price.
    let (status, body) = put_costs(
        &f,
        json!({"currency": "EUR", "renewalDate": "2027-06-30",
               "applications": [{"application": app, "seatPrice": 60, "cloudUserPrice": 8.6}]}),
        saved["configVersion"].clone(),
    );
    assert_eq!(status, 200, "{body}");
    let (_, audit) = call(
        &f.service,
        Method::Get,
        "/api/audit?action=settings_changed&limit=10",
        None,
        DAY0,
    );
    let texts: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["description"].as_str())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("costs.applications[0].seatPrice")
                && t.contains("52.5")
                && t.contains("60")),
        "{texts:?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("costs.currency") && t.contains("EUR")),
        "{texts:?}"
    );
}
