//! Reading a users export back, every column of it.
//!
//! The users import reads only the columns it can act on. Reviews, diffs
//! between two exports and the round-trip guarantee ("every field written is
//! read back unchanged") need all of them, typed; [`read_users_export`]
//! streams an export with any subset of [`UserColumn`]s into
//! [`ExportedUser`]s.

use std::io::Read;

use seatwarden_core::Millis;

use crate::cell;
use crate::error::{Position, Problem, ProblemKind, Problems, Rejected};
use crate::export::UserColumn;
use crate::table::{ColumnMatch, Table};
use crate::{timestamp, validate};

/// One row of a users export; a field is `None` when its column is absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExportedUser {
    /// The line the row starts on.
    pub line: u64,
    /// Stable key.
    pub key: Option<String>,
    /// Login name.
    pub username: Option<String>,
    /// Full name.
    pub display_name: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Directory name (or id when the exporter did not know the name).
    pub directory: Option<String>,
    /// Active.
    pub active: Option<bool>,
    /// Suspended; `Some(None)` in a directory without the state (empty).
    pub suspended: Option<Option<bool>>,
    /// Created.
    pub created: Option<Millis>,
    /// Last login; `Some(None)` for never.
    pub last_login: Option<Option<Millis>>,
    /// Login count; `Some(None)` when not counted.
    pub login_count: Option<Option<u32>>,
    /// Direct groups.
    pub groups: Option<Vec<String>>,
    /// Licensed application keys.
    pub licensed_applications: Option<Vec<String>>,
}

/// A `;`-joined list cell, each name restored on its own (the export
/// neutralises per name; see `UsersWriter::write`).
fn list(cell: &str) -> Vec<String> {
    cell.split(';')
        .filter(|s| !s.is_empty())
        .map(|s| cell::restore(s).to_owned())
        .collect()
}

/// Reads every row of a users export, or every problem found.
pub fn read_users_export<R: Read>(input: R) -> Result<Vec<ExportedUser>, Rejected> {
    let mut problems = Problems::with_limit(1000);
    let mut table = match Table::open(input) {
        Ok(t) => t,
        Err(p) => {
            problems.push(p);
            return Err(Rejected(problems));
        }
    };
    let map = table.map_columns(
        |h| match UserColumn::from_header(h) {
            Some(c) => ColumnMatch::Known(c),
            None => ColumnMatch::Unknown,
        },
        &[],
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(Rejected(problems));
    }
    let headers = table.headers().to_vec();
    let mut out = Vec::new();
    while let Some((line, rec)) = table.next_record(&mut problems) {
        let mut u = ExportedUser {
            line,
            ..ExportedUser::default()
        };
        for (i, col) in map.iter().enumerate() {
            let Some(col) = col else { continue };
            let raw = rec.get(i).unwrap_or("");
            let text = cell::restore(raw);
            let mut bad = |kind| {
                problems.push(Problem::new(
                    Position::field(line, i + 1, headers.get(i).map(String::as_str)),
                    kind,
                ));
            };
            match col {
                UserColumn::Key => u.key = Some(text.to_owned()),
                UserColumn::Username => u.username = Some(text.to_owned()),
                UserColumn::DisplayName => u.display_name = Some(text.to_owned()),
                UserColumn::Email => u.email = Some(text.to_owned()),
                UserColumn::Directory => u.directory = Some(text.to_owned()),
                UserColumn::Active => match validate::boolean(text) {
                    Ok(v) => u.active = Some(v),
                    Err(k) => bad(k),
                },
                UserColumn::Suspended => {
                    if text.is_empty() {
                        u.suspended = Some(None);
                    } else {
                        match validate::boolean(text) {
                            Ok(v) => u.suspended = Some(Some(v)),
                            Err(k) => bad(k),
                        }
                    }
                }
                UserColumn::Created => match timestamp::parse(text) {
                    Some(t) => u.created = Some(t),
                    None => bad(ProblemKind::InvalidDate(text.to_owned())),
                },
                UserColumn::LastLogin => {
                    if text.is_empty() {
                        u.last_login = Some(None);
                    } else {
                        match timestamp::parse(text) {
                            Some(t) => u.last_login = Some(Some(t)),
                            None => bad(ProblemKind::InvalidDate(text.to_owned())),
                        }
                    }
                }
                UserColumn::LoginCount => {
                    if text.is_empty() {
                        u.login_count = Some(None);
                    } else {
                        match text.parse::<u32>() {
                            Ok(n) => u.login_count = Some(Some(n)),
                            Err(_) => bad(ProblemKind::InvalidNumber),
                        }
                    }
                }
                UserColumn::Groups => u.groups = Some(list(raw)),
                UserColumn::LicensedApplications => u.licensed_applications = Some(list(raw)),
            }
        }
        out.push(u);
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Rejected(problems))
    }
}
