//! The directory an admin loads to try policies on their own users
//! (`seatwarden serve --snapshot FILE` and the UI's "Try on your own users").
//!
//! Four files are accepted, told apart by their first bytes and header, so
//! the admin never has to say which one they hold:
//! - a snapshot (`docs/snapshot.md`): JSON, starts with `{`;
//! - the user export of Atlassian's cloud administration (a CSV whose
//!   header names `User id`, `Atlassian ID` or `Account id`), read by
//!   [`crate::atlassian`], whose columns and sources are in `docs/csv.md`;
//! - the older user export of a cloud site's "Site administration" (a CSV
//!   whose header names `username` with `full_name`, `last_session` or
//!   `group_name`), read by [`crate::atlassian_site`];
//! - a users export of Seatwarden itself (the Users tab's Export, any
//!   column subset that has a key or a username), read back by
//!   [`crate::exported`].
//!
//! Why the users export too: it is what an admin of a Data Center instance
//! already running an older Seatwarden (or any tool writing the same
//! columns) can download in one click. It carries no licence limits and no
//! admin flags, so the preview counts licensed users per application without
//! a limit and protects nobody as a sysadmin; the loaded summary says so.

use std::collections::HashMap;

use seatwarden_core::snapshot::{self, SnapshotError, SnapshotFile, SnapshotHeader};
use seatwarden_core::{
    ApplicationKey, Directory, DirectoryCapabilities, DirectoryId, DirectoryKind, Group, GroupName,
    Licence, Millis, SeatLimit,
};

use crate::atlassian::{into_pages, read_atlassian_export};
use crate::atlassian_site::{is_site_export, read_site_export};
use crate::error::Rejected;
use crate::exported::{ExportedUser, read_users_export};
use crate::table::BOM;

/// Which kind of file was loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    /// A Seatwarden snapshot (JSON).
    Snapshot,
    /// An Atlassian cloud organisation's user export (CSV).
    AtlassianExport,
    /// The older user export of a cloud site's Site administration (CSV).
    AtlassianSiteExport,
    /// A Seatwarden users export (CSV).
    UsersExport,
}

impl SourceKind {
    /// The kind as the API names it.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Snapshot => "snapshot",
            SourceKind::AtlassianExport => "atlassianExport",
            SourceKind::AtlassianSiteExport => "atlassianSiteExport",
            SourceKind::UsersExport => "usersExport",
        }
    }

    /// The kind in words, for the audit log and the start message.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Snapshot => "a Seatwarden snapshot",
            SourceKind::AtlassianExport => "an Atlassian Cloud organization user export",
            SourceKind::AtlassianSiteExport => {
                "an Atlassian Cloud site administration user export (the older export)"
            }
            SourceKind::UsersExport => "a Seatwarden users export",
        }
    }
}

/// Why a file could not be loaded; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file is empty.
    #[error("the file is empty: export the users first")]
    Empty,
    /// A JSON snapshot that does not parse or is inconsistent.
    #[error("the snapshot is invalid: {0}")]
    Snapshot(#[from] SnapshotError),
    /// A CSV with problems (each with its line and column).
    #[error(transparent)]
    Rejected(#[from] Rejected),
    /// A users export without a key or username column.
    #[error(
        "the CSV has neither a key nor a username column: upload a snapshot, an Atlassian \
         user export or a Seatwarden users export"
    )]
    NoIdentity,
}

/// A loaded directory and what it was read from.
#[derive(Debug)]
pub struct Loaded {
    /// What the file was.
    pub kind: SourceKind,
    /// The directory it holds.
    pub snapshot: SnapshotFile,
}

impl Loaded {
    /// What was loaded, for the audit log: counts and the kind, never a
    /// user's name (e.g. "Loaded 1,204 users and 31 groups from an
    /// Atlassian Cloud organization user export").
    pub fn describe(&self) -> String {
        let users: usize = self.snapshot.pages.iter().map(|p| p.users.len()).sum();
        let groups = self.snapshot.header.groups.len();
        format!(
            "Loaded {} {} and {} {} from {}",
            thousands(users),
            if users == 1 { "user" } else { "users" },
            thousands(groups),
            if groups == 1 { "group" } else { "groups" },
            self.kind.label()
        )
    }
}

/// `1,204`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Reads `bytes` as one of the accepted files; CSV dates relative to
/// `taken_at` (the snapshot's own `takenAt` wins for JSON).
pub fn read_preview_source(bytes: &[u8], taken_at: Millis) -> Result<Loaded, SourceError> {
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let Some(first) = body.iter().find(|b| !b.is_ascii_whitespace()) else {
        return Err(SourceError::Empty);
    };
    if *first == b'{' {
        let snapshot = snapshot::parse_file(body)?;
        return Ok(Loaded {
            kind: SourceKind::Snapshot,
            snapshot,
        });
    }
    if is_atlassian_export(body) {
        return Ok(Loaded {
            kind: SourceKind::AtlassianExport,
            snapshot: read_atlassian_export(body, taken_at)?,
        });
    }
    if is_site_export(&String::from_utf8_lossy(
        body.split(|b| *b == b'\n').next().unwrap_or_default(),
    )) {
        return Ok(Loaded {
            kind: SourceKind::AtlassianSiteExport,
            snapshot: read_site_export(body, taken_at)?,
        });
    }
    let users = read_users_export(body)?;
    Ok(Loaded {
        kind: SourceKind::UsersExport,
        snapshot: from_users_export(users, taken_at)?,
    })
}

/// Whether the header line names one of the Atlassian export's identity
/// columns (matched as [`crate::atlassian`] matches them).
fn is_atlassian_export(body: &[u8]) -> bool {
    let line = body.split(|b| *b == b'\n').next().unwrap_or_default();
    let header = String::from_utf8_lossy(line);
    header.split(',').any(|cell| {
        let name = cell
            .trim()
            .trim_matches('"')
            .trim()
            .to_lowercase()
            .replace(['_', '-'], " ");
        matches!(name.as_str(), "user id" | "atlassian id" | "account id")
    })
}

/// A users export as a snapshot: one directory per directory name (all
/// writable: the preview applies nothing), the groups the rows name, and one
/// unlimited licence per licensed application.
fn from_users_export(
    users: Vec<ExportedUser>,
    taken_at: Millis,
) -> Result<SnapshotFile, SourceError> {
    if users
        .first()
        .is_some_and(|u| u.key.is_none() && u.username.is_none())
    {
        return Err(SourceError::NoIdentity);
    }
    let mut directories: Vec<Directory> = Vec::new();
    let mut directory_ids: HashMap<String, i64> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut group_seen: HashMap<String, ()> = HashMap::new();
    let mut licensed: Vec<(String, u32)> = Vec::new();
    let mut rows = Vec::with_capacity(users.len());
    for user in users {
        let directory = user
            .directory
            .clone()
            .filter(|d| !d.trim().is_empty())
            .unwrap_or_else(|| "Directory".to_owned());
        let next_id = i64::try_from(directories.len()).unwrap_or(i64::MAX - 1) + 1;
        let directory_id = *directory_ids.entry(directory.clone()).or_insert_with(|| {
            directories.push(Directory {
                id: DirectoryId(next_id),
                name: directory,
                kind: DirectoryKind::Internal,
                capabilities: DirectoryCapabilities::ALL,
                local_groups: Vec::new(),
            });
            next_id
        });
        let user_groups = user.groups.clone().unwrap_or_default();
        for g in &user_groups {
            if group_seen.insert(g.to_lowercase(), ()).is_none() {
                groups.push(Group {
                    name: GroupName::from(g.as_str()),
                    admin: false,
                    licence: false,
                });
            }
        }
        for app in user.licensed_applications.iter().flatten() {
            match licensed.iter_mut().find(|(a, _)| a == app) {
                Some((_, n)) => *n += 1,
                None => licensed.push((app.clone(), 1)),
            }
        }
        let key = user.key.clone().or_else(|| user.username.clone());
        let username = user.username.clone().or_else(|| user.key.clone());
        rows.push(snapshot::SnapshotUser {
            key: key.unwrap_or_default(),
            username: username.unwrap_or_default(),
            display_name: user.display_name.unwrap_or_default(),
            email: user.email.unwrap_or_default(),
            directory_id,
            active: user.active.unwrap_or(true),
            created: user.created.unwrap_or(taken_at).0,
            last_login: user.last_login.flatten().map(|t| t.0),
            login_count: user.login_count.flatten(),
            deactivated_at: None,
            suspended: false,
            groups: user_groups,
            activity: Default::default(),
        });
    }
    let licences = licensed
        .into_iter()
        .map(|(app, used)| Licence {
            application: ApplicationKey::from(app.as_str()),
            name: app,
            limit: SeatLimit::Unlimited,
            seats_used: used,
            groups: Vec::new(),
        })
        .collect();
    let pages = into_pages(rows);
    let file = SnapshotFile {
        format: snapshot::FORMAT.to_owned(),
        version: snapshot::VERSION,
        header: SnapshotHeader {
            taken_at,
            directories,
            groups,
            licences,
            sysadmins: Vec::new(),
            signals: Vec::new(),
        },
        pages,
    };
    // The same checks a host's snapshot passes (duplicate keys, usernames).
    let json = file
        .to_json()
        .map_err(|e| SourceError::Snapshot(SnapshotError::from_json(&e)))?;
    snapshot::parse_file(&json)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2025-11-21T00:00:00Z.
    const TAKEN: i64 = 1_763_683_200_000;

    #[test]
    fn a_json_snapshot_is_read_as_a_snapshot() {
        let csv = "key,username,active\nK1,ann,true\n";
        let loaded = read_preview_source(csv.as_bytes(), Millis(TAKEN)).unwrap();
        let json = loaded.snapshot.to_json().unwrap();
        let again = read_preview_source(&json, Millis(TAKEN + 1)).unwrap();
        assert_eq!(again.kind, SourceKind::Snapshot);
        assert_eq!(again.snapshot, loaded.snapshot);
    }

    #[test]
    fn an_atlassian_export_is_recognised_by_its_identity_column() {
        let csv = "\u{feff}User id,User name,email,User status,Added to org\r\n\
                   u-1,Ann,ann@example.test,Active,14 Dec 2023\r\n";
        let loaded = read_preview_source(csv.as_bytes(), Millis(TAKEN)).unwrap();
        assert_eq!(loaded.kind, SourceKind::AtlassianExport);
        assert_eq!(
            loaded.snapshot.pages[0].users[0].username,
            "ann@example.test"
        );
    }

    #[test]
    fn the_older_site_export_is_recognised_and_described() {
        let csv = "group_name,username,full_name,email,active,last_login,last_session,Confluence\r\n\
                   g1,fgambale,Frank,frank@example.test,Yes,14 Dec 2012 15:31:57,,Yes\r\n\
                   g2,fgambale,Frank,frank@example.test,Yes,14 Dec 2012 15:31:57,,Yes\r\n";
        let loaded = read_preview_source(csv.as_bytes(), Millis(TAKEN)).unwrap();
        assert_eq!(loaded.kind, SourceKind::AtlassianSiteExport);
        assert_eq!(
            loaded.describe(),
            "Loaded 1 user and 3 groups from an Atlassian Cloud site administration user \
             export (the older export)"
        );
        assert_eq!(thousands(1_234_567), "1,234,567");
        // Seatwarden's own users export (also with a `username` column) is not mistaken for it.
        let ours = "username,display name,last login\nann,Ann,\n";
        let loaded = read_preview_source(ours.as_bytes(), Millis(TAKEN)).unwrap();
        assert_eq!(loaded.kind, SourceKind::UsersExport);
    }

    #[test]
    fn a_users_export_becomes_directories_groups_and_licences() {
        let csv = "key,username,display name,directory,active,last login,groups,licensed applications\n\
                   K1,ann,Ann,LDAP,true,2025-10-02T00:00:00Z,jira-users;devs,jira-software\n\
                   K2,bob,Bob,Internal,false,,jira-users,\n";
        let loaded = read_preview_source(csv.as_bytes(), Millis(TAKEN)).unwrap();
        assert_eq!(loaded.kind, SourceKind::UsersExport);
        let header = &loaded.snapshot.header;
        let names: Vec<&str> = header.directories.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["LDAP", "Internal"]);
        assert_eq!(header.groups.len(), 2);
        assert_eq!(header.licences.len(), 1);
        assert_eq!(header.licences[0].seats_used, 1);
        let bob = &loaded.snapshot.pages[0].users[1];
        assert!(!bob.active);
        assert_eq!(bob.last_login, None);
        assert_eq!(bob.directory_id, 2);
    }

    #[test]
    fn empty_files_and_files_without_identity_are_refused_in_words() {
        assert!(matches!(
            read_preview_source(b"  \n", Millis(TAKEN)),
            Err(SourceError::Empty)
        ));
        let e =
            read_preview_source(b"email,active\na@example.test,true\n", Millis(TAKEN)).unwrap_err();
        assert!(matches!(e, SourceError::NoIdentity), "{e}");
        let e = read_preview_source(b"{\"format\": 1}", Millis(TAKEN)).unwrap_err();
        assert!(matches!(e, SourceError::Snapshot(_)), "{e}");
    }
}
