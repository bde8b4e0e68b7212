//! The older user export of an Atlassian Cloud site ("Site administration →
//! Users → Export users", before user management moved to the
//! organization), read into a directory snapshot for the preview server.
//!
//! Admins still hold these files (they were the way to list a cloud site's
//! users for years), and some sites on the original user management still
//! offer a similar export. Atlassian documents its columns with an example
//! (<https://confluence.atlassian.com/cloud/export-users-833925313.html>):
//! `group_name,username,full_name,email,active,last_login,last_session,`
//! then one Yes/No column per application (`Jira Service Desk`,
//! `Jira Software`, `Jira Core`, `Confluence`). Columns are matched as
//! [`crate::atlassian`] matches them (case-insensitive, `_` read as a
//! space):
//!
//! | column | required | becomes |
//! |---|---|---|
//! | `username` | yes | the user key and username (the older sites had usernames) |
//! | `full_name` | no | the display name |
//! | `email` | no | the email |
//! | `active` | no (only with "Inactive users" ticked) | `Yes` → active, `No` → deactivated; absent: everyone listed is active |
//! | `last_login`, `last_session` | no | last login = the later of the two |
//! | `group_name` | no | groups: "one row per group", rows of one user are merged |
//! | any other column whose cells are all `Yes`, `No` or empty | no | application access (below) |
//!
//! **Application access.** A Yes/No column names an application the user
//! may use. The snapshot gives licences by group, so each such column
//! becomes a licence group `<column> (application access)` holding the
//! users marked `Yes`, and an unlimited licence of that name: the preview
//! counts licensed users per application (the file gives no limit). A
//! column with any other value is not an access column and is ignored.
//!
//! **Creation date.** The export has none. A user's creation is taken as
//! their earliest date in the file (last login or last session), else the
//! moment the file was loaded: a user who never logged in counts as just
//! created, so a policy about never-used accounts finds nobody rather than
//! everybody. `docs/snapshot.md` says so to the admin.
//!
//! **Admins.** `site-admins` (the older sites' administrator group) and
//! groups named `administrators` or ending in `-administrators` are admin
//! groups, and their members are the snapshot's system administrators:
//! always protected, like a Data Center instance's.

use std::collections::HashMap;
use std::io::Read;

use seatwarden_core::snapshot::{self, SnapshotFile, SnapshotHeader, SnapshotUser};
use seatwarden_core::{
    ApplicationKey, Directory, DirectoryCapabilities, DirectoryKind, Group, GroupName, Licence,
    Millis, SeatLimit, UserKey,
};

use crate::atlassian::{DIRECTORY_ID, into_pages, parse_date};
use crate::cell;
use crate::error::{Position, Problem, ProblemKind, Problems, Rejected};
use crate::table::{ColumnMatch, Table, normalise_header};
use crate::target::fold_into;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Username,
    FullName,
    Email,
    Active,
    LastLogin,
    LastSession,
    Group,
    /// Perhaps an application-access column (its cells decide).
    App(usize),
}

fn classify(h: &str, next: &mut usize) -> ColumnMatch<Col> {
    ColumnMatch::Known(match h {
        "username" => Col::Username,
        "full name" => Col::FullName,
        "email" => Col::Email,
        "active" => Col::Active,
        "last login" => Col::LastLogin,
        "last session" => Col::LastSession,
        "group name" => Col::Group,
        _ => {
            *next += 1;
            Col::App(*next)
        }
    })
}

const REQUIRED: [(Col, &str); 1] = [(Col::Username, "username")];

/// Whether a CSV header (its first line) is the older site export's: it
/// names `username` and one of the columns only that export has
/// (`full_name`, `last_session`, `group_name`, written with underscores;
/// Seatwarden's own users export writes `display name`, `last login`).
pub fn is_site_export(header_line: &str) -> bool {
    let names: Vec<String> = header_line
        .split(',')
        .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
        .collect();
    names.iter().any(|n| n == "username")
        && names
            .iter()
            .any(|n| matches!(n.as_str(), "full_name" | "last_session" | "group_name"))
}

fn yes_no(text: &str) -> Option<Option<bool>> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Some(None),
        "yes" | "true" => Some(Some(true)),
        "no" | "false" => Some(Some(false)),
        _ => None,
    }
}

fn admin_group(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "site-admins" || n == "administrators" || n.ends_with("-administrators")
}

/// One user as the rows give it.
struct Row {
    user: SnapshotUser,
    /// Per access column: marked `Yes` on any of the user's rows.
    apps: Vec<bool>,
}

/// Reads an older site user export into a snapshot taken at `taken_at`.
/// Every problem is reported with its line and column; any problem
/// rejects the file.
pub fn read_site_export<R: Read>(input: R, taken_at: Millis) -> Result<SnapshotFile, Rejected> {
    let mut problems = Problems::with_limit(1000);
    let mut next = 0usize;
    let Some((mut table, map)) =
        Table::open_mapped(input, |h| classify(h, &mut next), &REQUIRED, &mut problems)
    else {
        return Err(Rejected(problems));
    };
    let headers = table.headers().to_vec();
    let find = |c: Col| map.iter().position(|m| *m == Some(c));
    let Some(user_i) = find(Col::Username) else {
        return Err(Rejected(problems));
    };
    let (name_i, email_i, active_i, group_i) = (
        find(Col::FullName),
        find(Col::Email),
        find(Col::Active),
        find(Col::Group),
    );
    let date_cols: Vec<usize> = [find(Col::LastLogin), find(Col::LastSession)]
        .into_iter()
        .flatten()
        .collect();
    // (header column, still an access column: every cell so far Yes/No/empty).
    let mut app_cols: Vec<(usize, bool)> = map
        .iter()
        .enumerate()
        .filter(|(_, m)| matches!(m, Some(Col::App(_))))
        .map(|(i, _)| (i, true))
        .collect();
    let at = |line: u64, i: usize| Position::field(line, i + 1, headers.get(i).map(String::as_str));

    let mut rows: Vec<Row> = Vec::new();
    let mut by_username: HashMap<String, usize> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_index: HashMap<String, usize> = HashMap::new();
    let mut fold = String::new();
    while let Some((line, rec)) = table.next_record(&mut problems) {
        let get = |i: usize| cell::restore(rec.get(i).unwrap_or(""));
        let username = get(user_i).trim();
        if username.is_empty() {
            problems.push(Problem::new(at(line, user_i), ProblemKind::Required));
            continue;
        }
        let group = group_i.map(|gi| get(gi).trim()).filter(|g| !g.is_empty());
        let group = group.map(|g| {
            fold_into(g, &mut fold);
            let i = *group_index.entry(fold.clone()).or_insert_with(|| {
                groups.push(Group {
                    name: GroupName::from(g),
                    admin: admin_group(g),
                    licence: false,
                });
                groups.len() - 1
            });
            groups
                .get(i)
                .map_or_else(|| g.to_owned(), |x| x.name.to_string())
        });
        let mut apps = Vec::with_capacity(app_cols.len());
        for (ci, still) in &mut app_cols {
            match yes_no(get(*ci)) {
                Some(v) => apps.push(v == Some(true)),
                None => {
                    *still = false;
                    apps.push(false);
                }
            }
        }
        fold_into(username, &mut fold);
        if let Some(&ui) = by_username.get(fold.as_str()) {
            // Another row of a user already read: one row per group.
            if let Some(row) = rows.get_mut(ui) {
                if let Some(g) = group {
                    if !row.user.groups.iter().any(|x| x.eq_ignore_ascii_case(&g)) {
                        row.user.groups.push(g);
                    }
                }
                for (had, now) in row.apps.iter_mut().zip(apps) {
                    *had |= now;
                }
            }
            continue;
        }
        let before = problems.total();
        let active = match active_i.map(|ai| (ai, yes_no(get(ai)))) {
            None | Some((_, Some(None))) => true,
            Some((_, Some(Some(a)))) => a,
            Some((ai, None)) => {
                problems.push(Problem::new(
                    at(line, ai),
                    ProblemKind::InvalidStatus(get(ai).to_owned()),
                ));
                false
            }
        };
        let mut dates: Vec<Millis> = Vec::new();
        for &di in &date_cols {
            match parse_date(get(di)) {
                Ok(t) => dates.extend(t),
                Err(kind) => problems.push(Problem::new(at(line, di), kind)),
            }
        }
        if problems.total() != before {
            continue;
        }
        let last_login = dates.iter().copied().max();
        let created = dates
            .iter()
            .copied()
            .min()
            .unwrap_or(taken_at)
            .min(taken_at);
        by_username.insert(fold.clone(), rows.len());
        rows.push(Row {
            user: SnapshotUser {
                key: username.to_owned(),
                username: username.to_owned(),
                display_name: name_i.map(|i| get(i).trim().to_owned()).unwrap_or_default(),
                email: email_i
                    .map(|i| get(i).trim().to_owned())
                    .unwrap_or_default(),
                directory_id: DIRECTORY_ID.0,
                active,
                created: created.0,
                last_login: last_login.map(|t| t.0),
                login_count: None,
                deactivated_at: None,
                // The older export has no membership status: an inactive
                // row reads as deactivated.
                suspended: false,
                groups: group.into_iter().collect(),
                activity: Default::default(),
            },
            apps,
        });
    }
    if !problems.is_empty() {
        problems.sort();
        return Err(Rejected(problems));
    }
    // Each access column: a licence group of its `Yes` users, and its licence.
    let mut licences = Vec::new();
    for (n, (ci, _)) in app_cols.iter().enumerate().filter(|(_, (_, still))| *still) {
        let app = headers.get(*ci).map_or("", |h| h.trim());
        let group = format!("{app} (application access)");
        let mut used = 0u32;
        for row in &mut rows {
            if row.apps.get(n).copied().unwrap_or(false) {
                row.user.groups.push(group.clone());
                used += 1;
            }
        }
        groups.push(Group {
            name: GroupName::from(group.as_str()),
            admin: false,
            licence: true,
        });
        let key = normalise_header(app).replace(' ', "-");
        licences.push(Licence {
            application: ApplicationKey::from(key.as_str()),
            name: app.to_owned(),
            limit: SeatLimit::Unlimited,
            seats_used: used,
            groups: vec![GroupName::from(group.as_str())],
        });
    }
    let sysadmins: Vec<UserKey> = rows
        .iter()
        .filter(|r| r.user.groups.iter().any(|g| admin_group(g)))
        .map(|r| UserKey::from(r.user.key.as_str()))
        .collect();
    let pages = into_pages(rows.into_iter().map(|r| r.user));
    Ok(SnapshotFile {
        format: snapshot::FORMAT.to_owned(),
        version: snapshot::VERSION,
        header: SnapshotHeader {
            taken_at,
            directories: vec![Directory {
                id: DIRECTORY_ID,
                name: "Atlassian Cloud site".to_owned(),
                kind: DirectoryKind::Other,
                capabilities: DirectoryCapabilities::ALL,
                local_groups: Vec::new(),
            }],
            groups,
            licences,
            sysadmins,
            signals: Vec::new(),
        },
        pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Atlassian's documented header, with consistent rows.
    const EXPORT: &str = "group_name,username,full_name,email,active,last_login,last_session,Jira Service Desk,Jira Software,Jira Core,Confluence\r\n\
group2,fgambale,Frank Gambale,frank@ggam.test,Yes,14 Dec 2012 15:31:57,,Yes,Yes,No,Yes\r\n\
group1,fgambale,Frank Gambale,frank@ggam.test,Yes,14 Dec 2012 15:31:57,,Yes,Yes,No,Yes\r\n\
site-admins,dtrucks,Derek Trucks,derek@ggam.test,Yes,,23 Oct 2015 02:53:20,No,No,No,Yes\r\n\
group1,old,Old Timer,old@ggam.test,No,,,No,No,No,No\r\n";

    /// 2025-11-21T00:00:00Z.
    const TAKEN: i64 = 1_763_683_200_000;

    #[test]
    fn reads_users_rows_per_group_dates_and_application_access() {
        assert!(is_site_export(EXPORT.lines().next().unwrap_or("")));
        let snap = read_site_export(EXPORT.as_bytes(), Millis(TAKEN)).unwrap();
        let users = &snap.pages[0].users;
        assert_eq!(users.len(), 3);
        let frank = &users[0];
        assert_eq!(
            (frank.key.as_str(), frank.username.as_str()),
            ("fgambale", "fgambale")
        );
        assert_eq!(frank.display_name, "Frank Gambale");
        assert_eq!(frank.last_login, Some(1_355_499_117_000));
        assert_eq!(
            frank.created, 1_355_499_117_000,
            "earliest date in the file"
        );
        assert_eq!(
            frank.groups,
            [
                "group2",
                "group1",
                "Jira Service Desk (application access)",
                "Jira Software (application access)",
                "Confluence (application access)"
            ]
        );
        let derek = &users[1];
        assert_eq!(
            derek.last_login,
            Some(1_445_568_800_000),
            "last session counts"
        );
        let old = &users[2];
        assert!(!old.active);
        assert_eq!(
            (old.last_login, old.created),
            (None, TAKEN),
            "never: created at load"
        );
        let header = &snap.header;
        assert!(
            header
                .groups
                .iter()
                .any(|g| g.name.as_str() == "site-admins" && g.admin)
        );
        assert_eq!(
            header.sysadmins,
            [UserKey::from("dtrucks")],
            "site admins are protected"
        );
        let seats: Vec<(&str, u32)> = header
            .licences
            .iter()
            .map(|l| (l.name.as_str(), l.seats_used))
            .collect();
        assert_eq!(
            seats,
            [
                ("Jira Service Desk", 1),
                ("Jira Software", 1),
                ("Jira Core", 0),
                ("Confluence", 2)
            ]
        );
        // The same checks a host's snapshot passes.
        snapshot::parse_file(&snap.to_json().unwrap()).unwrap();
    }

    #[test]
    fn a_column_with_other_values_is_not_access_and_bad_cells_are_placed() {
        let text = "username,full_name,Notes\nann,Ann,likes tea\nbob,Bob,Yes\n";
        let snap = read_site_export(text.as_bytes(), Millis(TAKEN)).unwrap();
        assert!(snap.header.licences.is_empty());
        assert!(snap.pages[0].users.iter().all(|u| u.groups.is_empty()));

        let text = "username,active,last_login\nann,Maybe,yesterday\n,Yes,\n";
        let err = read_site_export(text.as_bytes(), Millis(TAKEN)).unwrap_err();
        let shown: Vec<String> = err.0.kept().iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "line 2, column 2 (`active`): unrecognised user status `Maybe`",
                "line 2, column 3 (`last_login`): unrecognised date `yesterday`",
                "line 3, column 1 (`username`): a value is required",
            ]
        );
    }
}
