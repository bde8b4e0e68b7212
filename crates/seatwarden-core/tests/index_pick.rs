//! The pickers' search (`DirectoryIndex::pick_users`, `pick_groups`): the
//! obvious answer first (exact, then prefix, then anywhere), each tier in
//! name order, on the hand-made fixture and against a naive model on a
//! generated directory large enough for both of the ranking paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "support/fixture.rs"]
mod fixture;

use fixture::{T, index};
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use serde_json::json;

fn names(ix: &DirectoryIndex, users: &[UserIdx]) -> Vec<String> {
    users.iter().map(|&i| ix.username(i).to_owned()).collect()
}

fn groups(ix: &DirectoryIndex, text: &str, limit: usize) -> (Vec<String>, u64) {
    let p = ix.pick_groups(text, limit);
    let names = p
        .groups
        .iter()
        .map(|&g| ix.groups()[g as usize].name.as_str().to_owned())
        .collect();
    (names, p.total)
}

#[test]
fn an_exact_username_key_or_email_comes_first() {
    let ix = index();
    let bob = ix.pick_users("BOB", 20);
    assert_eq!(
        (names(&ix, &bob.users), bob.total),
        (vec!["Bob".to_owned()], 1)
    );
    // A key is matched exactly and counted, though keys are not searched.
    let carol = ix.pick_users(" JIRAUSER10003 ", 20);
    assert_eq!(
        (names(&ix, &carol.users), carol.total),
        (vec!["carol".to_owned()], 1)
    );
    assert_eq!(ix.pick_users("jirauser10003", 20).users, Vec::new());
    let shared = ix.pick_users("shared@EXAMPLE.test", 20);
    assert_eq!(names(&ix, &shared.users), ["erin", "frank"]);
}

#[test]
fn a_prefix_of_the_username_beats_a_match_elsewhere() {
    let ix = index();
    // `er`: erin's username starts with it; Alice Archer, Bob Baker and
    // Carol Cooper only have it in their display names.
    let er = ix.pick_users("er", 20);
    assert_eq!(names(&ix, &er.users), ["erin", "alice", "Bob", "carol"]);
    assert_eq!(er.total, 4);
}

#[test]
fn the_limit_cuts_the_list_but_not_the_total() {
    let ix = index();
    // Every email contains `a` (example.test): everyone matches.
    let a = ix.pick_users("a", 2);
    assert_eq!(
        (names(&ix, &a.users), a.total),
        (vec!["admin".to_owned(), "alice".to_owned()], 7)
    );
    let all = ix.pick_users("a", 20);
    assert_eq!(
        names(&ix, &all.users),
        ["admin", "alice", "Bob", "carol", "dave", "erin", "frank"]
    );
    let empty = ix.pick_users("  ", 3);
    assert_eq!(
        (names(&ix, &empty.users), empty.total),
        (
            vec!["admin".to_owned(), "alice".to_owned(), "Bob".to_owned()],
            7
        )
    );
    assert_eq!(ix.pick_users("a", 0).users, Vec::new());
    let none = ix.pick_users("zzz", 20);
    assert_eq!((none.users.len(), none.total), (0, 0));
}

#[test]
fn groups_exact_then_prefix_then_anywhere() {
    let ix = index();
    assert_eq!(
        groups(&ix, "", 10),
        (
            vec![
                "confluence-users".to_owned(),
                "contractors".to_owned(),
                "developers".to_owned(),
                "jira-administrators".to_owned(),
                "jira-software-users".to_owned()
            ],
            5
        )
    );
    assert_eq!(
        groups(&ix, "JIRA", 10).0,
        ["jira-administrators", "jira-software-users"]
    );
    // `users`: exact beats nothing here; all three contain it.
    assert_eq!(
        groups(&ix, "ers", 10).0,
        ["confluence-users", "developers", "jira-software-users"]
    );
    assert_eq!(
        groups(&ix, "con", 1),
        (vec!["confluence-users".to_owned()], 2)
    );
    assert_eq!(groups(&ix, "developers", 10).0, ["developers"]);
    assert_eq!(groups(&ix, "nope", 10), (Vec::new(), 0));
}

/// A directory of `n` users whose names share few letters, so one needle
/// hits many users (the walk of the username order) and another few (the
/// direct ranking).
fn generated(n: u32) -> DirectoryIndex {
    let syll = ["ka", "lo", "mi", "Nu", "pe", "ro", "su", "ti"];
    let users: Vec<_> = (0..n)
        .map(|i| {
            let a = syll[(i % 8) as usize];
            let b = syll[((i / 8) % 8) as usize];
            let c = syll[((i / 64) % 8) as usize];
            json!({
                "key": format!("K{i:05}"),
                "username": format!("{a}{b}{c}{i}"),
                "displayName": format!("{c}{a} {b}"),
                "email": format!("{b}{i}@x.test"),
                "directoryId": 1, "active": true, "created": T,
                "lastLogin": null, "loginCount": 0, "groups": [],
            })
        })
        .collect();
    let doc = json!({
        "format": "seatwarden-snapshot", "version": 1,
        "header": {
            "takenAt": T,
            "directories": [{"id": 1, "name": "Internal", "kind": "internal", "capabilities": {}}],
            "groups": [], "licences": [], "sysadmins": []
        },
        "pages": [{"users": users}]
    });
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&doc).unwrap()).unwrap()
}

/// The ranking written the slow, obvious way.
fn model(ix: &DirectoryIndex, text: &str, limit: usize) -> (Vec<String>, u64) {
    let needle = text.trim().to_lowercase();
    let mut rows: Vec<(u8, String, String)> = Vec::new();
    for u in ix.users() {
        let name = u.username().to_lowercase();
        let exact = u.key() == text.trim() || name == needle || u.email().to_lowercase() == needle;
        let anywhere = name.contains(&needle)
            || u.display_name().to_lowercase().contains(&needle)
            || u.email().to_lowercase().contains(&needle);
        let tier = if exact {
            0
        } else if name.starts_with(&needle) {
            1
        } else if anywhere {
            2
        } else {
            continue;
        };
        rows.push((tier, name, u.key().to_owned()));
    }
    let total = rows.len() as u64;
    rows.sort();
    (
        rows.into_iter()
            .take(limit)
            .map(|(_, _, key)| ix.username(ix.index_of_key_str(&key).unwrap()).to_owned())
            .collect(),
        total,
    )
}

#[test]
fn the_fast_ranking_agrees_with_the_obvious_one() {
    let ix = generated(600);
    // Dense (`a`, `u`), medium (`nu`), sparse (`kalomi`, `137`), exact
    // username and key, a display-name-only word order, and none.
    for needle in [
        "a", "u", "nu", "NU", "kalomi", "137", "kalomi0", "K00042", "lo ka", "x.test", "zz",
    ] {
        for limit in [1, 5, 20] {
            let got = ix.pick_users(needle, limit);
            assert_eq!(
                (names(&ix, &got.users), got.total),
                model(&ix, needle, limit),
                "needle {needle:?}, limit {limit}"
            );
        }
    }
}
