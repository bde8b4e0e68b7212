//! Issue 24, session 4 list A: the smaller defects of the admin
//! walkthrough that the service decides (test sends, the import template,
//! directory names, run durations, paged policy previews).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_core::Millis;
use seatwarden_service::api::Method;

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

fn first_template(s: &seatwarden_service::Service) -> String {
    let (status, list) = call(s, Method::Get, "/api/templates", None, DAY0);
    assert_eq!(status, 200, "{list}");
    list["templates"][0]["id"].as_str().unwrap().to_owned()
}

#[test]
fn a_test_send_to_something_that_is_no_address_is_a_field_error_in_words() {
    let f = fixture(3, 1, 0);
    let s = &f.service;
    let id = first_template(s);
    for to in ["nope", "two@@example.com", "a b@example.com", "  "] {
        let (status, body) = call(
            s,
            Method::Post,
            &format!("/api/templates/{id}/test"),
            Some(json!({ "to": to })),
            DAY0,
        );
        assert_eq!(status, 422, "{to:?}: {body}");
        let ps = problems(&body);
        assert_eq!(ps.len(), 1, "{body}");
        assert_eq!(ps[0].0, "to");
        let words = &ps[0].1;
        assert!(
            words.contains("email address") || words.contains("enter the address"),
            "{words}"
        );
        // The message never repeats what was typed (it may be personal data).
        if !to.trim().is_empty() {
            assert!(!body.to_string().contains(to.trim()), "{body}");
        }
    }
    // A well-formed address passes the check and reaches the mail server
    // choice (here: none configured, the 409 that says so).
    let (status, body) = call(
        s,
        Method::Post,
        &format!("/api/templates/{id}/test"),
        Some(json!({ "to": "admin@example.com" })),
        DAY0,
    );
    assert_eq!(status, 409, "{body}");
    assert!(problems(&body).is_empty(), "{body}");
}

fn template_csv(s: &seatwarden_service::Service) -> String {
    let response = s.handle(
        &request(Method::Get, "/api/import/template", None, admin()),
        Millis(DAY0),
    );
    assert_eq!(response.status, 200);
    String::from_utf8(response.body.to_vec()).unwrap()
}

#[test]
fn the_import_template_names_groups_that_exist_and_validates_as_downloaded() {
    let f = fixture(3, 1, 0);
    let s = &f.service;
    let csv = template_csv(s);
    let row = csv.lines().nth(1).unwrap();
    let groups = row.split(',').nth(3).unwrap();
    // The licence group and the largest other group; never the administrators.
    assert_eq!(groups, "jira-software-users;staff", "{csv}");
    let (status, plan) = validate_import(s, &csv, DAY0);
    assert_eq!(
        status, 200,
        "the example row must validate as downloaded: {plan}"
    );
}
