//! The user export of Atlassian's cloud administration, read into a
//! directory snapshot.
//!
//! An admin evaluating Seatwarden on a cloud organisation has no Data
//! Center host to read from, but can download the organisation's user list
//! as CSV. Reading it into a [`SnapshotFile`] lets `seatwarden plan` preview
//! policies on real data.
//!
//! Columns (matched case-insensitively, `_`/`-` read as spaces; see
//! `docs/csv.md` for the sources):
//!
//! | column | required | becomes |
//! |---|---|---|
//! | `User id` (or `Atlassian ID`, `Account id`) | yes | the user key |
//! | `User name` (or `Name`, `Full name`) | yes | the display name |
//! | `email` (or `Email address`) | yes | email and username (cloud has no usernames) |
//! | `User status` (or `Status`, `Active`) | yes | active: `Active`/`Yes` → true; `Inactive`, `Deactivated`, `Suspended`, `Closed`, `No` → false |
//! | `Added to org` (or `Created`) | yes | account creation |
//! | `Last seen in <product> - <site>` (or `Last active in …`) | no, any number | last login = the latest of them |
//! | `Org role` | no | a role containing `admin` marks a sysadmin (always protected) |
//! | `Group name` (or `Group names`, `Groups`, `Group 1`, `Group 2`, …) | no | groups (comma-separated lists allowed) |
//!
//! Every other column (`Group id`, per-product access columns, …) is
//! ignored. A user listed on several rows (one row per group) is merged.
//! Dates are read as `14 Dec 2023`, `14 Dec 2023 15:31:57`, `Dec 14, 2023`,
//! ISO 8601 or `YYYY-MM-DD`, all UTC; `Never accessed`, `Never logged in`,
//! `Never` and empty cells mean never.

use std::collections::HashMap;
use std::io::Read;

use seatwarden_core::snapshot::{self, SnapshotFile, SnapshotHeader, SnapshotPage, SnapshotUser};
use seatwarden_core::{
    Directory, DirectoryCapabilities, DirectoryId, DirectoryKind, Group, GroupName, Millis, UserKey,
};

use crate::cell;
use crate::error::{Position, Problem, ProblemKind, Problems, Rejected};
use crate::table::{ColumnMatch, Table};
use crate::target::fold_into;
use crate::timestamp;

/// Users per snapshot page.
pub const PAGE_SIZE: usize = 1000;

/// The id of the one directory the snapshot holds.
pub const DIRECTORY_ID: DirectoryId = DirectoryId(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Id,
    Name,
    Email,
    Status,
    Added,
    OrgRole,
    GroupList,
    /// `Group n` (pivoted groups); the number tells them apart.
    GroupN(u32),
    /// `Last seen in …`; the number tells them apart.
    LastSeen(u32),
}

fn classify(h: &str, next: &mut u32) -> ColumnMatch<Col> {
    let c = match h {
        "user id" | "atlassian id" | "account id" => Col::Id,
        "user name" | "name" | "full name" => Col::Name,
        "email" | "email address" => Col::Email,
        "user status" | "status" | "active" => Col::Status,
        "added to org" | "created" => Col::Added,
        "org role" => Col::OrgRole,
        "group name" | "group names" | "groups" => Col::GroupList,
        _ if h.starts_with("last seen in ") || h.starts_with("last active in ") => {
            *next += 1;
            Col::LastSeen(*next)
        }
        _ => match h.strip_prefix("group ").map(str::parse::<u32>) {
            Some(Ok(n)) => Col::GroupN(n),
            _ => return ColumnMatch::Ignored,
        },
    };
    ColumnMatch::Known(c)
}

const REQUIRED: [(Col, &str); 5] = [
    (Col::Id, "User id"),
    (Col::Name, "User name"),
    (Col::Email, "email"),
    (Col::Status, "User status"),
    (Col::Added, "Added to org"),
];

/// Users in snapshot pages of [`PAGE_SIZE`].
pub(crate) fn into_pages(users: impl IntoIterator<Item = SnapshotUser>) -> Vec<SnapshotPage> {
    let mut pages = Vec::new();
    let mut rest = users.into_iter().peekable();
    while rest.peek().is_some() {
        pages.push(SnapshotPage {
            users: rest.by_ref().take(PAGE_SIZE).collect(),
        });
    }
    pages
}

/// Reads a cloud date cell; `Ok(None)` for "never".
pub fn parse_date(text: &str) -> Result<Option<Millis>, ProblemKind> {
    let t = text.trim();
    if t.is_empty() || t.to_ascii_lowercase().starts_with("never") {
        return Ok(None);
    }
    if let Some(m) = timestamp::parse(t) {
        return Ok(Some(m));
    }
    for f in [
        "%d %b %Y %H:%M:%S",
        "%d %B %Y %H:%M:%S",
        "%b %d, %Y %H:%M:%S",
    ] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, f) {
            return Ok(Some(Millis(dt.and_utc().timestamp_millis())));
        }
    }
    for f in ["%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y"] {
        if let Ok(d) = chrono::NaiveDate::parse_from_str(t, f) {
            if let Some(dt) = d.and_hms_opt(0, 0, 0) {
                return Ok(Some(Millis(dt.and_utc().timestamp_millis())));
            }
        }
    }
    Err(ProblemKind::InvalidDate(text.to_owned()))
}

fn parse_status(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "active" | "yes" | "true" => Some(true),
        "inactive" | "deactivated" | "suspended" | "closed" | "no" | "false" | "disabled" => {
            Some(false)
        }
        _ => None,
    }
}

/// Reads an organisation user export into a snapshot taken at `taken_at`.
/// All problems are reported (with line and column); any problem rejects
/// the file.
pub fn read_atlassian_export<R: Read>(
    input: R,
    taken_at: Millis,
) -> Result<SnapshotFile, Rejected> {
    let mut problems = Problems::with_limit(1000);
    let mut next = 0u32;
    let Some((mut table, map)) =
        Table::open_mapped(input, |h| classify(h, &mut next), &REQUIRED, &mut problems)
    else {
        return Err(Rejected(problems));
    };
    let headers = table.headers().to_vec();
    let find = |c: Col| map.iter().position(|m| *m == Some(c));
    let (Some(id_i), Some(name_i), Some(email_i), Some(status_i), Some(added_i)) = (
        find(Col::Id),
        find(Col::Name),
        find(Col::Email),
        find(Col::Status),
        find(Col::Added),
    ) else {
        return Err(Rejected(problems));
    };
    let role_i = find(Col::OrgRole);
    let seen_cols: Vec<usize> = map
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Some(Col::LastSeen(_))))
        .map(|(i, _)| i)
        .collect();
    let group_cols: Vec<usize> = map
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Some(Col::GroupList | Col::GroupN(_))))
        .map(|(i, _)| i)
        .collect();
    let at = |line: u64, i: usize| Position::field(line, i + 1, headers.get(i).map(String::as_str));

    let mut users: Vec<SnapshotUser> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut by_username: HashMap<String, u64> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_index: HashMap<String, usize> = HashMap::new();
    let mut sysadmins: Vec<UserKey> = Vec::new();
    let mut fold = String::new();

    while let Some((line, rec)) = table.next_record(&mut problems) {
        let get = |i: usize| cell::restore(rec.get(i).unwrap_or(""));
        let id = get(id_i).trim();
        if id.is_empty() {
            problems.push(Problem::new(at(line, id_i), ProblemKind::Required));
            continue;
        }
        // Groups on this row.
        let mut row_groups: Vec<String> = Vec::new();
        for &gi in &group_cols {
            for g in get(gi).split(',').map(str::trim).filter(|g| !g.is_empty()) {
                fold_into(g, &mut fold);
                if !group_index.contains_key(fold.as_str()) {
                    group_index.insert(fold.clone(), groups.len());
                    groups.push(Group {
                        name: GroupName::from(g),
                        admin: false,
                        licence: false,
                    });
                }
                row_groups.push(
                    group_index
                        .get(fold.as_str())
                        .and_then(|&i| groups.get(i))
                        .map_or_else(|| g.to_owned(), |grp| grp.name.to_string()),
                );
            }
        }
        if let Some(&ui) = by_id.get(id) {
            // Another row of a user already read: one row per group.
            if let Some(u) = users.get_mut(ui) {
                for g in row_groups {
                    if !u.groups.iter().any(|x| x.eq_ignore_ascii_case(&g)) {
                        u.groups.push(g);
                    }
                }
            }
            continue;
        }
        let before = problems.total();
        let name = get(name_i);
        let email = get(email_i).trim();
        let active = match parse_status(get(status_i)) {
            Some(a) => a,
            None => {
                problems.push(Problem::new(
                    at(line, status_i),
                    ProblemKind::InvalidStatus(get(status_i).to_owned()),
                ));
                false
            }
        };
        let created = match parse_date(get(added_i)) {
            Ok(Some(t)) => t,
            Ok(None) => {
                problems.push(Problem::new(at(line, added_i), ProblemKind::Required));
                Millis(0)
            }
            Err(kind) => {
                problems.push(Problem::new(at(line, added_i), kind));
                Millis(0)
            }
        };
        let mut last_login: Option<Millis> = None;
        for &si in &seen_cols {
            match parse_date(get(si)) {
                Ok(t) => last_login = last_login.max(t),
                Err(kind) => problems.push(Problem::new(at(line, si), kind)),
            }
        }
        let username = if email.is_empty() { id } else { email };
        fold_into(username, &mut fold);
        if let Some(&first_line) = by_username.get(fold.as_str()) {
            problems.push(Problem::new(
                at(line, email_i),
                ProblemKind::DuplicateUsername { first_line },
            ));
        } else {
            by_username.insert(fold.clone(), line);
        }
        if problems.total() != before {
            continue;
        }
        if role_i.is_some_and(|ri| get(ri).to_ascii_lowercase().contains("admin")) {
            sysadmins.push(UserKey::from(id));
        }
        by_id.insert(id.to_owned(), users.len());
        users.push(SnapshotUser {
            key: id.to_owned(),
            username: username.to_owned(),
            display_name: name.to_owned(),
            email: email.to_owned(),
            directory_id: DIRECTORY_ID.0,
            active,
            created: created.0,
            last_login: last_login.map(|t| t.0),
            login_count: None,
            deactivated_at: None,
            suspended: false,
            groups: row_groups,
            activity: Default::default(),
        });
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(Rejected(problems));
    }
    let pages = into_pages(users);
    Ok(SnapshotFile {
        format: snapshot::FORMAT.to_owned(),
        version: snapshot::VERSION,
        header: SnapshotHeader {
            taken_at,
            directories: vec![Directory {
                id: DIRECTORY_ID,
                name: "Atlassian cloud organisation".to_owned(),
                kind: DirectoryKind::Other,
                capabilities: DirectoryCapabilities::ALL,
                local_groups: Vec::new(),
            }],
            groups,
            licences: Vec::new(),
            sysadmins,
            signals: Vec::new(),
        },
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = "\u{feff}User id,User name,email,User status,Added to org,Org role,Group name,Last seen in Jira - acme,Last seen in Confluence - acme,Jira - acme,Extra\r\n\
u-1,Ann Example,ann@example.test,Active,14 Dec 2023,Org admin,\"jira-users, admins\",2 Jan 2026,Never accessed,User,x\r\n\
u-2,Bob Example,bob@example.test,Inactive,1 Feb 2024,,jira-users,Never accessed,Never accessed,,y\r\n\
u-1,Ann Example,ann@example.test,Active,14 Dec 2023,Org admin,confluence-users,2 Jan 2026,Never accessed,User,x\r\n";

    #[test]
    fn reads_users_groups_dates_and_admins() {
        let snap = read_atlassian_export(EXPORT.as_bytes(), Millis(1)).unwrap();
        let users = &snap.pages[0].users;
        assert_eq!(users.len(), 2);
        let ann = &users[0];
        assert_eq!(ann.key, "u-1");
        assert_eq!(ann.username, "ann@example.test");
        assert_eq!(ann.display_name, "Ann Example");
        assert!(ann.active);
        assert_eq!(ann.created, 1_702_512_000_000);
        assert_eq!(ann.last_login, Some(1_767_312_000_000));
        assert_eq!(ann.groups, vec!["jira-users", "admins", "confluence-users"]);
        assert!(!users[1].active);
        assert_eq!(users[1].last_login, None);
        assert_eq!(snap.header.sysadmins, vec![UserKey::from("u-1")]);
        assert_eq!(snap.header.groups.len(), 3);
    }

    #[test]
    fn missing_required_columns_are_named() {
        let err = read_atlassian_export(
            "User id,email,Whatever\r\nu,a@b.c,x\r\n".as_bytes(),
            Millis(0),
        )
        .unwrap_err();
        assert_eq!(
            err.0.kept()[0].to_string(),
            "line 1: missing required column(s) `User name`, `User status`, `Added to org`"
        );
    }

    #[test]
    fn bad_cells_have_positions() {
        let text = "User id,User name,email,User status,Added to org,Last seen in Jira\n\
                    u,A,a@b.c,Sleeping,yesterday,2024-13-01\n";
        let err = read_atlassian_export(text.as_bytes(), Millis(0)).unwrap_err();
        let shown: Vec<String> = err.0.kept().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            vec![
                "line 2, column 4 (`User status`): unrecognised user status `Sleeping`",
                "line 2, column 5 (`Added to org`): unrecognised date `yesterday`",
                "line 2, column 6 (`Last seen in Jira`): unrecognised date `2024-13-01`",
            ]
        );
    }
}
