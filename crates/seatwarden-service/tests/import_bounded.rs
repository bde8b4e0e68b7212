//! Users imports in bounded memory (issue 18, item 10): the preview is a
//! page with counts of everything, the kept plan is the file, re-planned
//! when confirmed (a stale one refused), and kept plans are capped.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::fmt::Write as _;

use serde_json::{Value, json};

use common::*;
use seatwarden_core::{Operation, Username};
use seatwarden_service::api::Method;
use seatwarden_service::host::Host;

/// A file of `n` new users `prefix0000…`, each joining the licence group
/// and `staff`.
fn new_users(prefix: &str, n: usize) -> String {
    let mut csv = String::from("username,email,display name,groups\n");
    for i in 0..n {
        let _ = writeln!(
            csv,
            "{prefix}{i:04},{prefix}{i:04}@example.test,New {i},jira-software-users;staff"
        );
    }
    csv
}

/// The answer lists the first 500 rows and actions and counts them all (it
/// was every row, every action and a document of every write: 220 MB of
/// JSON for 381,851 rows); the plan applied is the whole file.
#[test]
fn a_large_import_preview_is_a_page_with_counts_of_everything() {
    let f = fixture(0, 1, 0);
    let (status, plan) = validate_import(&f.service, &new_users("bulk", 1200), DAY0);
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["summary"]["rows"], json!(1200));
    assert_eq!(plan["summary"]["create"], json!(1200));
    // One creation and two memberships a row.
    assert_eq!(plan["actionCount"], json!(3600));
    assert_eq!(plan["userCreations"], json!(1200));
    assert_eq!(plan["rows"].as_array().unwrap().len(), 500);
    assert_eq!(plan["rows"][499]["line"], json!(501));
    assert_eq!(plan["actions"].as_array().unwrap().len(), 500);
    assert_eq!(plan["document"]["totals"]["operations"], json!(3600));
    assert_eq!(plan["document"]["totals"]["users"], json!(1200));
    assert_eq!(plan["document"]["shown"]["operations"], json!(500));
    let shown: usize = plan["document"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["actions"].as_array().unwrap().len())
        .sum();
    assert_eq!(shown, 500);

    let (status, started) = apply_import(&f.service, &plan, DAY0);
    assert_eq!(status, 202, "{started}");
    drain(&f.service, DAY0);
    let created = state(&f.host)
        .into_iter()
        .filter(|(_, active, name, groups)| {
            name.starts_with("bulk") && *active && groups == &["jira-software-users", "staff"]
        })
        .count();
    assert_eq!(created, 1200);
}

/// Rows and actions past the preview's first 500 are paged from the kept
/// file: every row and action of a 1,200-row import is reached exactly
/// once, in order, and the pages agree with the preview where they overlap
/// (the preview used to end at row 500 with no way to see the rest).
/// Bad paging is refused precisely; an unknown plan is 404.
#[test]
fn an_import_plan_is_paged_past_the_first_500_rows_and_actions() {
    let f = fixture(0, 1, 0);
    let (status, plan) = validate_import(&f.service, &new_users("page", 1200), DAY0);
    assert_eq!(status, 200, "{plan}");
    let id = plan["planId"].as_str().unwrap().to_owned();
    let walk = |of: &str, limit: usize| -> Vec<Value> {
        let mut all = Vec::new();
        let mut offset = Some(0u64);
        while let Some(at) = offset {
            let path = format!("/api/import/{id}/{of}?offset={at}&limit={limit}");
            let (status, page) = call(&f.service, Method::Get, &path, None, DAY0);
            assert_eq!(status, 200, "{path}: {page}");
            assert_eq!(page["offset"], json!(at));
            all.extend(page[of].as_array().unwrap().iter().cloned());
            offset = page["next"].as_u64();
        }
        all
    };
    let rows = walk("rows", 500);
    assert_eq!(rows.len(), 1200);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row["line"], json!(i + 2), "{row}");
        assert_eq!(row["plan"], "create");
    }
    assert_eq!(&rows[..500], plan["rows"].as_array().unwrap().as_slice());
    let actions = walk("actions", 333);
    assert_eq!(actions.len(), 3600);
    assert_eq!(
        &actions[..500],
        plan["actions"].as_array().unwrap().as_slice()
    );
    assert_eq!(actions[3599]["username"], "page1199");

    let (status, last) = call(
        &f.service,
        Method::Get,
        &format!("/api/import/{id}/rows?offset=1150&limit=100"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{last}");
    assert_eq!(
        (
            last["rows"].as_array().unwrap().len(),
            &last["total"],
            &last["next"]
        ),
        (50, &json!(1200), &Value::Null)
    );
    for (query, status, says) in [
        ("limit=0", 400, "`limit` must be between 1 and 500"),
        ("limit=501", 400, "`limit` must be between 1 and 500"),
        ("offset=-1", 400, "`offset` must be a number"),
    ] {
        let path = format!("/api/import/{id}/actions?{query}");
        let (got, refused) = call(&f.service, Method::Get, &path, None, DAY0);
        assert_eq!(got, status, "{path}: {refused}");
        assert!(refused.to_string().contains(says), "{refused}");
    }
    let (status, _) = call(&f.service, Method::Get, "/api/import/nope/rows", None, DAY0);
    assert_eq!(status, 404);
    // Paging changed nothing: the plan still applies as previewed.
    let (status, started) = apply_import(&f.service, &plan, DAY0);
    assert_eq!(status, 202, "{started}");
}

/// The kept plan is the file: confirmed after another change to the
/// directory, it plans other writes, so it is refused (409, validate
/// again) and nothing is written, never applied half-blind.
#[test]
fn an_import_confirmed_after_the_directory_moved_is_refused_and_changes_nothing() {
    let f = fixture(0, 1, 0);
    let (status, plan) = validate_import(&f.service, &new_users("late", 3), DAY0);
    assert_eq!(status, 200, "{plan}");
    // Someone creates one of the file's users in the meantime.
    f.host
        .apply(&Operation::CreateUser {
            username: Username::from("late0001"),
            display_name: "Made Elsewhere".to_owned(),
            email: "elsewhere@example.test".to_owned(),
            directory: None,
            active: true,
        })
        .unwrap();
    f.service.rebuild_index().unwrap();
    let before = state(&f.host);
    let (status, body) = apply_import(&f.service, &plan, DAY0 + 1);
    assert_eq!(status, 409, "{body}");
    assert!(
        body.to_string().contains("validate the file again"),
        "{body}"
    );
    drain(&f.service, DAY0 + 1);
    assert_eq!(state(&f.host), before);
    let (_, runs) = call(&f.service, Method::Get, "/api/runs", None, DAY0 + 1);
    assert!(!runs.to_string().contains("Users import"), "{runs}");

    // Validated again, the file plans the two users still missing.
    let (status, plan) = validate_import(&f.service, &new_users("late", 3), DAY0 + 2);
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["summary"]["create"], json!(2));
    assert_eq!(apply_import(&f.service, &plan, DAY0 + 2).0, 202);
}

/// Kept plans are capped in number (16): previewing more drops the oldest
/// first, whose confirmation then answers 410 (preview again); the newest
/// still applies.
#[test]
fn kept_plans_are_capped_and_the_oldest_is_dropped_first() {
    let f = fixture(0, 1, 0);
    let plans: Vec<Value> = (0..17)
        .map(|i| {
            let (status, plan) =
                validate_import(&f.service, &new_users(&format!("cap{i:02}x"), 1), DAY0);
            assert_eq!(status, 200, "{plan}");
            plan
        })
        .collect();
    let (status, body) = apply_import(&f.service, &plans[0], DAY0);
    assert_eq!(status, 410, "{body}");
    let (status, body) = apply_import(&f.service, &plans[16], DAY0);
    assert_eq!(status, 202, "{body}");
    let (status, body) = apply_import(&f.service, &plans[1], DAY0);
    assert_eq!(status, 202, "{body}");
}
