//! Issue 24, Users: the export is named after the filter it was taken with
//! and lists the users in the table's order (its sort column and direction),
//! for the whole filter and for ticked rows alike.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use seatwarden_core::Millis;
use seatwarden_service::api::{ApiRequest, Method};

fn get(
    service: &seatwarden_service::Service,
    path: &str,
    query: &[(&str, &str)],
) -> (u16, String, Vec<u8>) {
    let req = ApiRequest {
        method: Method::Get,
        path: path.to_owned(),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body: bytes::Bytes::new(),
        context: admin(),
    };
    let response = service.handle(&req, Millis(DAY0));
    let disposition = response
        .headers
        .iter()
        .find(|(k, _)| k == "Content-Disposition")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    (response.status, disposition, response.body)
}

/// The usernames of every page of the Users table for `filter`, in order.
fn table_order(service: &seatwarden_service::Service, filter: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for page in 1.. {
        let mut q = filter.clone();
        q["page"] = page.into();
        q["pageSize"] = 10.into();
        let (status, _, body) = get(service, "/api/users", &[("filter", &q.to_string())]);
        assert_eq!(status, 200);
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let rows = body["rows"].as_array().unwrap();
        if rows.is_empty() {
            break;
        }
        out.extend(
            rows.iter()
                .map(|r| r["username"].as_str().unwrap().to_owned()),
        );
    }
    out
}

fn exported_usernames(csv: &[u8]) -> Vec<String> {
    let text = String::from_utf8(csv.to_vec()).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "username").unwrap();
    lines
        .map(|l| l.split(',').nth(col).unwrap().to_owned())
        .collect()
}

#[test]
fn the_export_is_named_after_the_filter_and_follows_the_table_order() {
    let f = fixture(25, 12, 3);
    let s = &f.service;
    let filter = serde_json::json!({
        "activity": {"kind": "notWithin", "days": 90},
        "includeGroups": ["jira-software-users"],
        "sort": "username", "order": "desc"
    });
    let (status, disposition, body) = get(
        s,
        "/api/users/export",
        &[("filter", &filter.to_string()), ("columns", "username")],
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        disposition,
        "attachment; filename=\"users-inactive-90d-group-jira-software-users.csv\""
    );
    let table = table_order(s, &filter);
    assert_eq!(table.len(), 26, "25 idle users and the idle admin");
    assert_eq!(exported_usernames(&body), table);
    assert_eq!(
        table.first().map(String::as_str),
        Some("idle0024"),
        "descending"
    );

    // Sorted by last login, newest first: the fresh users lead, as in the table.
    let by_login = serde_json::json!({"sort": "lastLogin", "order": "desc"});
    let (_, disposition, body) = get(
        s,
        "/api/users/export",
        &[("filter", &by_login.to_string()), ("columns", "username")],
    );
    assert_eq!(disposition, "attachment; filename=\"users-all.csv\"");
    assert_eq!(exported_usernames(&body), table_order(s, &by_login));

    // Ticked rows, ticked in any order, come out in the table's order too.
    let (_, disposition, body) = get(
        s,
        "/api/users/export",
        &[
            ("filter", &filter.to_string()),
            ("keys", "K-idle0003,K-idle0010,K-idle0007"),
            ("columns", "username"),
        ],
    );
    assert_eq!(disposition, "attachment; filename=\"users-selected-3.csv\"");
    assert_eq!(
        exported_usernames(&body),
        ["idle0010", "idle0007", "idle0003"]
    );
}

#[test]
fn the_exemption_filter_narrows_and_names_the_export_as_it_does_the_table() {
    let f = fixture(12, 4, 0);
    let s = &f.service;
    let (status, body) = call(
        s,
        Method::Post,
        "/api/exemptions",
        Some(
            serde_json::json!({"users": ["K-idle0003", "K-idle0010"], "indefinite": true, "reason": "on leave"}),
        ),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
    let filter =
        serde_json::json!({"activity": {"kind": "notWithin", "days": 90}, "order": "desc"});
    let (status, disposition, body) = get(
        s,
        "/api/users/export",
        &[
            ("filter", &filter.to_string()),
            ("columns", "username"),
            ("exempt", "yes"),
        ],
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        disposition,
        "attachment; filename=\"users-inactive-90d-exempt.csv\""
    );
    assert_eq!(exported_usernames(&body), ["idle0010", "idle0003"]);
    let (_, disposition, body) = get(
        s,
        "/api/users/export",
        &[
            ("filter", &filter.to_string()),
            ("columns", "username"),
            ("exempt", "no"),
        ],
    );
    assert_eq!(
        disposition,
        "attachment; filename=\"users-inactive-90d-not-exempt.csv\""
    );
    let rest = exported_usernames(&body);
    assert_eq!(rest.len(), 11, "10 idle users and the idle admin: {rest:?}");
    assert!(!rest.contains(&"idle0003".to_owned()));
    let (status, _, _) = get(s, "/api/users/export", &[("exempt", "maybe")]);
    assert_eq!(status, 400);
}
