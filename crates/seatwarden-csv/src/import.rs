//! Users import: validate a CSV of users, then plan who is created and who
//! changes.
//!
//! The file has the columns `username`, `email`, `display name`, `groups`
//! (`;`-separated) and optionally `active` and `directory`; the columns only
//! an export has (`key`, `created`, `last login`, `login count`, `licensed
//! applications`) are accepted and ignored, so an export can be edited and
//! imported back. [`TEMPLATE`] is the downloadable starting point.
//!
//! Importing is **all or nothing**: every row is validated first and any
//! problem (with line, column and reason) rejects the whole file. A valid
//! file becomes a plan: per row, create the user (plus memberships and the
//! welcome / password-reset notices the admin asked for), update them (the
//! operations that differ from the directory), or nothing. The admin
//! previews the plan; applying it belongs to the service.
//!
//! Memory: validation streams the file with one reused record. What it keeps
//! per row is the case-folded username (to find duplicates) in one arena
//! plus 24 bytes, so 1M rows need a few tens of MB. [`validate_users`] keeps
//! no plan; [`stream_users`] hands planned rows to a callback one at a time
//! (run it after a successful validation, on a fresh reader); [`plan_users`]
//! does both on an in-memory file and collects the plan.

use std::io::Read;

use seatwarden_core::{Directory, DirectoryId, GroupName, Operation, UserKey, Username};

use crate::cell;
use crate::error::{Position, Problem, ProblemKind, Problems, Rejected};
use crate::export::UserColumn;
use crate::table::{ColumnMatch, Table};
use crate::target::{ExistingUser, ImportTarget, fold_into};
use crate::validate;

/// The downloadable import template: header plus one synthetic example row.
pub const TEMPLATE: &str = "username,email,display name,groups,active,directory\r\n\
jdoe,jdoe@example.com,Jane Doe,jira-software-users;developers,true,\r\n";

/// The import template with example groups that exist in the directory
/// (the admin's own, e.g. a licence group and a team group), so the
/// example row validates as it stands. The fixed [`TEMPLATE`] named
/// `developers`, which most directories lack, so its example row was
/// refused as "unknown group" (issue 24). A name the `groups` cell could
/// not carry unquoted (`;`, `,`, quotes, line breaks, or a leading
/// character a spreadsheet reads as a formula) is left out; with no group
/// left the cell stays empty.
pub fn template_with_groups<'a>(groups: impl IntoIterator<Item = &'a GroupName>) -> String {
    let usable: Vec<&str> = groups
        .into_iter()
        .map(GroupName::as_str)
        .filter(|g| {
            !g.is_empty()
                && !g.contains([';', ',', '"', '\r', '\n'])
                && !g.starts_with(['=', '+', '-', '@', '\t'])
        })
        .collect();
    format!(
        "username,email,display name,groups,active,directory\r\njdoe,jdoe@example.com,Jane Doe,{},true,\r\n",
        usable.join(";")
    )
}

/// The columns an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Username,
    Email,
    DisplayName,
    Groups,
    Active,
    Directory,
}

const REQUIRED: [(Col, &str); 4] = [
    (Col::Username, "username"),
    (Col::Email, "email"),
    (Col::DisplayName, "display name"),
    (Col::Groups, "groups"),
];

fn classify(header: &str) -> ColumnMatch<Col> {
    match UserColumn::from_header(header) {
        Some(UserColumn::Username) => ColumnMatch::Known(Col::Username),
        Some(UserColumn::Email) => ColumnMatch::Known(Col::Email),
        Some(UserColumn::DisplayName) => ColumnMatch::Known(Col::DisplayName),
        Some(UserColumn::Groups) => ColumnMatch::Known(Col::Groups),
        Some(UserColumn::Active) => ColumnMatch::Known(Col::Active),
        Some(UserColumn::Directory) => ColumnMatch::Known(Col::Directory),
        Some(
            UserColumn::Key
            | UserColumn::Suspended
            | UserColumn::Created
            | UserColumn::LastLogin
            | UserColumn::LoginCount
            | UserColumn::LicensedApplications,
        ) => ColumnMatch::Ignored,
        None => ColumnMatch::Unknown,
    }
}

/// Emails new users receive once created (sent by the mail module).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NewUserNotices {
    /// A welcome email.
    pub welcome: bool,
    /// A password-reset email so the user sets their own password.
    pub password_reset: bool,
}

/// How an import behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Groups that do not exist are created (reported as notes) instead of
    /// rejected.
    pub create_missing_groups: bool,
    /// Existing users are removed from groups their row does not list
    /// (their memberships become exactly the listed ones). Off by default:
    /// an import only adds.
    pub remove_unlisted_groups: bool,
    /// What new users receive.
    pub notices: NewUserNotices,
    /// At most this many problems are kept (the rest are counted).
    pub max_problems: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            create_missing_groups: false,
            remove_unlisted_groups: false,
            notices: NewUserNotices::default(),
            max_problems: 1000,
        }
    }
}

/// What one row of a valid file does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowPlan {
    /// A new user.
    Create {
        /// The [`Operation::CreateUser`].
        create: Operation,
        /// Groups the new user joins (the user's key is known only once the
        /// host created them: see [`PlannedRow::operations`]).
        groups: Vec<GroupName>,
        /// Emails to send once the user exists.
        notices: NewUserNotices,
    },
    /// An existing user whose row differs from the directory.
    Update {
        /// The user.
        user: UserKey,
        /// The writes, in order.
        operations: Vec<Operation>,
    },
    /// An existing user the row does not change.
    Unchanged {
        /// The user.
        user: UserKey,
    },
}

/// One planned row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRow {
    /// The line the row starts on.
    pub line: u64,
    /// The row's username.
    pub username: Username,
    /// What it does.
    pub plan: RowPlan,
}

impl PlannedRow {
    /// The row's operations. For a new user, `created_key` is the key the
    /// host gave the account; membership operations need it and are left
    /// out when it is `None`.
    pub fn operations(&self, created_key: Option<&UserKey>) -> Vec<Operation> {
        match &self.plan {
            RowPlan::Create { create, groups, .. } => {
                let mut ops = vec![create.clone()];
                if let Some(key) = created_key {
                    ops.extend(groups.iter().map(|g| Operation::AddToGroup {
                        user: key.clone(),
                        group: g.clone(),
                    }));
                }
                ops
            }
            RowPlan::Update { operations, .. } => operations.clone(),
            RowPlan::Unchanged { .. } => Vec::new(),
        }
    }
}

/// Something the admin should know that does not block the import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Where (the first place it applies).
    pub position: Position,
    /// What.
    pub kind: NoteKind,
}

/// Kinds of [`Note`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoteKind {
    /// The group does not exist and will be created.
    #[error("group `{0}` does not exist and will be created")]
    GroupWillBeCreated(String),
}

/// The outcome of validating a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Data rows read.
    pub rows: u64,
    /// Rows that create a user.
    pub create: u64,
    /// Rows that change an existing user.
    pub update: u64,
    /// Rows that change nothing.
    pub unchanged: u64,
    /// Groups that will be created, in first-seen order.
    pub groups_to_create: Vec<GroupName>,
    /// Notes (non-blocking).
    pub notes: Vec<Note>,
}

/// A validated file's full plan (for files small enough to hold in memory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportPlan {
    /// Counts and notes.
    pub summary: ImportSummary,
    /// [`Operation::CreateGroup`] for each missing group, to run first.
    pub group_operations: Vec<Operation>,
    /// Every row's plan, in file order.
    pub rows: Vec<PlannedRow>,
}

/// A group a row lists: an existing one (the target's handle and name) or
/// one the import will create (its place in `groups_to_create`).
#[derive(Clone, Copy)]
enum GroupRef<'t> {
    Existing(usize, &'t GroupName),
    New(usize),
}

struct SeenName {
    hash: u64,
    line: u64,
    offset: u32,
    len: u32,
}

struct Importer<'t, T: ImportTarget + ?Sized> {
    target: &'t T,
    options: &'t ImportOptions,
    headers: Vec<String>,
    idx: [Option<usize>; 6],
    problems: Problems,
    summary: ImportSummary,
    new_groups: crate::target::NameMap<usize>,
    seen: Vec<SeenName>,
    arena: Vec<u8>,
    fold: String,
    fold_group: String,
    row_groups: Vec<GroupRef<'t>>,
    empty_group: GroupName,
}

fn col_slot(c: Col) -> usize {
    match c {
        Col::Username => 0,
        Col::Email => 1,
        Col::DisplayName => 2,
        Col::Groups => 3,
        Col::Active => 4,
        Col::Directory => 5,
    }
}

impl<'t, T: ImportTarget + ?Sized> Importer<'t, T> {
    fn open<R: Read>(
        input: R,
        target: &'t T,
        options: &'t ImportOptions,
    ) -> Result<(Self, Table<R>), Rejected> {
        let mut problems = Problems::with_limit(options.max_problems.max(1));
        let table = match Table::open(input) {
            Ok(t) => t,
            Err(p) => {
                problems.push(p);
                return Err(Rejected(problems));
            }
        };
        let map = table.map_columns(classify, &REQUIRED, &mut problems);
        if !problems.is_empty() {
            return Err(Rejected(problems));
        }
        let mut idx = [None; 6];
        for (i, c) in map.iter().enumerate() {
            if let Some(slot) = c.and_then(|c| idx.get_mut(col_slot(c))) {
                *slot = Some(i);
            }
        }
        let headers = table.headers().to_vec();
        Ok((
            Self {
                target,
                options,
                headers,
                idx,
                problems,
                summary: ImportSummary::default(),
                new_groups: crate::target::NameMap::default(),
                seen: Vec::new(),
                arena: Vec::new(),
                fold: String::new(),
                fold_group: String::new(),
                row_groups: Vec::new(),
                empty_group: GroupName::from(""),
            },
            table,
        ))
    }

    fn at(&self, line: u64, col: Col) -> Position {
        let i = self.idx.get(col_slot(col)).copied().flatten().unwrap_or(0);
        Position::field(line, i + 1, self.headers.get(i).map(String::as_str))
    }

    fn problem(&mut self, line: u64, col: Col, kind: ProblemKind) {
        let at = self.at(line, col);
        self.problems.push(Problem::new(at, kind));
    }

    fn field<'r>(&self, record: &'r csv::StringRecord, col: Col) -> Option<&'r str> {
        let i = self.idx.get(col_slot(col)).copied().flatten()?;
        record.get(i).map(cell::restore)
    }

    /// The cell as written, for a `;`-joined list whose names are restored
    /// one by one (an export neutralises per name).
    fn raw_field<'r>(&self, record: &'r csv::StringRecord, col: Col) -> Option<&'r str> {
        let i = self.idx.get(col_slot(col)).copied().flatten()?;
        record.get(i)
    }

    fn directory_named(&self, text: &str) -> Option<&'t Directory> {
        let dirs = self.target.directories();
        dirs.iter()
            .find(|d| crate::target::same_name(&d.name, text))
            .or_else(|| {
                let id: i64 = text.trim().parse().ok()?;
                dirs.iter().find(|d| d.id == DirectoryId(id))
            })
    }

    fn remember_username(&mut self, line: u64) {
        let hash = crate::target::fx_hash(self.fold.as_bytes());
        let (Ok(offset), Ok(len)) = (
            u32::try_from(self.arena.len()),
            u32::try_from(self.fold.len()),
        ) else {
            // Past 4 GiB of usernames duplicates are no longer tracked.
            return;
        };
        self.arena.extend_from_slice(self.fold.as_bytes());
        self.seen.push(SeenName {
            hash,
            line,
            offset,
            len,
        });
    }

    /// Validates (and, when `want` is set, plans) one record.
    fn row(&mut self, line: u64, record: &csv::StringRecord, want: bool) -> Option<PlannedRow> {
        self.summary.rows += 1;
        let before = self.problems.total();
        let username = self.field(record, Col::Username).unwrap_or("");
        let email = self.field(record, Col::Email).unwrap_or("");
        let display = self.field(record, Col::DisplayName).unwrap_or("");
        let groups_cell = self.raw_field(record, Col::Groups).unwrap_or("");
        let active_cell = self.field(record, Col::Active).unwrap_or("");
        let dir_cell = self.field(record, Col::Directory).unwrap_or("");

        if let Err(k) = validate::username(username) {
            self.problem(line, Col::Username, k);
            return None;
        }
        fold_into(username, &mut self.fold);
        self.remember_username(line);
        let existing = self.target.find_user(&self.fold);

        if !email.is_empty() || existing.is_none() {
            if let Err(k) = validate::email(email) {
                self.problem(line, Col::Email, k);
            }
        }
        if !display.is_empty() || existing.is_none() {
            if let Err(k) = validate::display_name(display) {
                self.problem(line, Col::DisplayName, k);
            }
        }
        let active = if active_cell.trim().is_empty() {
            None
        } else {
            match validate::boolean(active_cell) {
                Ok(v) => Some(v),
                Err(k) => {
                    self.problem(line, Col::Active, k);
                    None
                }
            }
        };
        let directory = if dir_cell.trim().is_empty() {
            None
        } else {
            match self.directory_named(dir_cell) {
                Some(d) => Some(d),
                None => {
                    self.problem(
                        line,
                        Col::Directory,
                        ProblemKind::UnknownDirectory(dir_cell.to_owned()),
                    );
                    None
                }
            }
        };

        // Groups: validated, resolved to their canonical names, de-duplicated.
        self.row_groups.clear();
        for token in groups_cell.split(';') {
            let name = cell::restore(token.trim());
            if name.is_empty() {
                continue;
            }
            if let Err(k) = validate::group_name(name) {
                self.problem(line, Col::Groups, k);
                continue;
            }
            fold_into(name, &mut self.fold_group);
            let group = match self.target.find_group(&self.fold_group) {
                Some((handle, g)) => GroupRef::Existing(handle, &g.name),
                None => match self.new_groups.get(self.fold_group.as_str()) {
                    Some(&i) => GroupRef::New(i),
                    None if self.options.create_missing_groups => {
                        let i = self.summary.groups_to_create.len();
                        self.new_groups.insert(self.fold_group.clone(), i);
                        self.summary.groups_to_create.push(GroupName::from(name));
                        let position = self.at(line, Col::Groups);
                        self.summary.notes.push(Note {
                            position,
                            kind: NoteKind::GroupWillBeCreated(name.to_owned()),
                        });
                        GroupRef::New(i)
                    }
                    None => {
                        self.problem(
                            line,
                            Col::Groups,
                            ProblemKind::UnknownGroup(name.to_owned()),
                        );
                        continue;
                    }
                },
            };
            let listed = self.row_groups.iter().any(|g| match (g, &group) {
                (GroupRef::Existing(a, _), GroupRef::Existing(b, _)) => a == b,
                (GroupRef::New(a), GroupRef::New(b)) => a == b,
                _ => false,
            });
            if !listed {
                self.row_groups.push(group);
            }
        }

        let plan = match existing {
            None => self.plan_new(line, username, email, display, active, directory, want),
            Some(u) => self.plan_existing(line, &u, email, display, active, directory, want),
        };
        if self.problems.total() != before {
            return None;
        }
        let plan = plan?;
        Some(PlannedRow {
            line,
            username: Username::from(username),
            plan,
        })
    }

    #[expect(clippy::too_many_arguments, reason = "one row's parsed cells")]
    fn plan_new(
        &mut self,
        line: u64,
        username: &str,
        email: &str,
        display: &str,
        active: Option<bool>,
        directory: Option<&'t Directory>,
        want: bool,
    ) -> Option<RowPlan> {
        let dir = match directory.or_else(|| self.target.default_directory()) {
            Some(d) => d,
            None => {
                self.problem(line, Col::Directory, ProblemKind::NoDirectory);
                return None;
            }
        };
        if !dir.capabilities.create_user {
            self.problem(
                line,
                Col::Directory,
                ProblemKind::ReadOnlyDirectory {
                    directory: dir.name.clone(),
                    what: "creating users".into(),
                },
            );
            return None;
        }
        let groups = std::mem::take(&mut self.row_groups);
        for r in &groups {
            let g = self.group_name(r);
            if !dir.can_change_membership(g) {
                let kind = ProblemKind::ReadOnlyDirectory {
                    directory: dir.name.clone(),
                    what: format!("changing memberships of `{g}`"),
                };
                let at = self.at(line, Col::Groups);
                self.problems.push(Problem::new(at, kind));
            }
        }
        let names: Vec<GroupName> = if want {
            groups.iter().map(|r| self.group_name(r).clone()).collect()
        } else {
            Vec::new()
        };
        self.row_groups = groups;
        self.summary.create += 1;
        if !want {
            return None;
        }
        Some(RowPlan::Create {
            create: Operation::CreateUser {
                username: Username::from(username),
                display_name: display.to_owned(),
                email: email.to_owned(),
                directory: Some(dir.id),
                active: active.unwrap_or(true),
            },
            groups: names,
            notices: self.options.notices,
        })
    }

    #[expect(clippy::too_many_arguments, reason = "one row's parsed cells")]
    fn plan_existing(
        &mut self,
        line: u64,
        user: &ExistingUser<'_>,
        email: &str,
        display: &str,
        active: Option<bool>,
        directory: Option<&'t Directory>,
        want: bool,
    ) -> Option<RowPlan> {
        let dirs = self.target.directories();
        let Some(dir) = dirs.iter().find(|d| d.id == user.directory) else {
            self.problem(
                line,
                Col::Directory,
                ProblemKind::UnknownDirectory(user.directory.to_string()),
            );
            return None;
        };
        if let Some(d) = directory {
            if d.id != user.directory {
                self.problem(
                    line,
                    Col::Directory,
                    ProblemKind::DirectoryMismatch(dir.name.clone()),
                );
                return None;
            }
        }
        let new_display = (!display.is_empty() && display != user.display_name).then_some(display);
        let new_email = (!email.is_empty() && email != user.email).then_some(email);
        let activation = active.filter(|&a| a != user.active);
        let sysadmin = self.target.is_sysadmin(user.handle);
        let mut ops: Vec<Operation> = Vec::new();
        let mut changes = 0usize;

        if new_display.is_some() || new_email.is_some() {
            changes += 1;
            if !dir.capabilities.update_user {
                self.read_only(line, Col::DisplayName, dir, "updating users");
            } else if want {
                ops.push(Operation::UpdateUser {
                    user: UserKey::from(user.key),
                    display_name: new_display.map(str::to_owned),
                    email: new_email.map(str::to_owned),
                });
            }
        }
        if let Some(a) = activation {
            changes += 1;
            if !a && sysadmin {
                self.problem(line, Col::Active, ProblemKind::ProtectedUser);
            } else if !dir.capabilities.update_user {
                self.read_only(line, Col::Active, dir, "activating or deactivating users");
            } else if want {
                ops.push(if a {
                    Operation::Activate {
                        user: UserKey::from(user.key),
                    }
                } else {
                    Operation::Deactivate {
                        user: UserKey::from(user.key),
                    }
                });
            }
        }
        let groups = std::mem::take(&mut self.row_groups);
        for r in &groups {
            if let GroupRef::Existing(gh, _) = r {
                if self.target.is_member(user.handle, *gh) {
                    continue;
                }
            }
            let g = self.group_name(r).clone();
            let g = &g;
            changes += 1;
            if !dir.can_change_membership(g) {
                self.read_only(
                    line,
                    Col::Groups,
                    dir,
                    &format!("changing memberships of `{g}`"),
                );
            } else if want {
                ops.push(Operation::AddToGroup {
                    user: UserKey::from(user.key),
                    group: g.clone(),
                });
            }
        }
        if self.options.remove_unlisted_groups {
            for g in self.target.groups_of(user.handle) {
                if groups
                    .iter()
                    .any(|l| crate::target::same_name(self.group_name(l).as_str(), g.as_str()))
                {
                    continue;
                }
                changes += 1;
                if sysadmin {
                    self.problem(line, Col::Groups, ProblemKind::ProtectedUser);
                } else if !dir.can_change_membership(&g) {
                    self.read_only(
                        line,
                        Col::Groups,
                        dir,
                        &format!("changing memberships of `{g}`"),
                    );
                } else if want {
                    ops.push(Operation::RemoveFromGroup {
                        user: UserKey::from(user.key),
                        group: g,
                    });
                }
            }
        }
        self.row_groups = groups;
        if changes == 0 {
            self.summary.unchanged += 1;
            return want.then(|| RowPlan::Unchanged {
                user: UserKey::from(user.key),
            });
        }
        self.summary.update += 1;
        want.then(|| RowPlan::Update {
            user: UserKey::from(user.key),
            operations: ops,
        })
    }

    fn group_name<'s>(&'s self, r: &GroupRef<'t>) -> &'s GroupName
    where
        't: 's,
    {
        match *r {
            GroupRef::Existing(_, name) => name,
            GroupRef::New(i) => self
                .summary
                .groups_to_create
                .get(i)
                .unwrap_or(&self.empty_group),
        }
    }

    fn read_only(&mut self, line: u64, col: Col, dir: &Directory, what: &str) {
        self.problem(
            line,
            col,
            ProblemKind::ReadOnlyDirectory {
                directory: dir.name.clone(),
                what: what.to_owned(),
            },
        );
    }

    /// Reports usernames that occur more than once (case-insensitively).
    fn find_duplicates(&mut self) {
        let mut seen = std::mem::take(&mut self.seen);
        let arena = std::mem::take(&mut self.arena);
        let name = |s: &SeenName| {
            let start = s.offset as usize;
            arena.get(start..start + s.len as usize)
        };
        // Equal names end up adjacent, earliest line first; hashing first
        // keeps the sort cheap and the name comparison settles collisions.
        seen.sort_unstable_by(|a, b| {
            a.hash
                .cmp(&b.hash)
                .then_with(|| name(a).cmp(&name(b)))
                .then(a.line.cmp(&b.line))
        });
        let mut dups: Vec<(u64, u64)> = Vec::new();
        let mut first: Option<&SeenName> = None;
        for s in &seen {
            match first {
                Some(f) if f.hash == s.hash && name(f) == name(s) => dups.push((s.line, f.line)),
                _ => first = Some(s),
            }
        }
        for (line, first_line) in dups {
            self.problem(
                line,
                Col::Username,
                ProblemKind::DuplicateUsername { first_line },
            );
        }
    }

    fn finish(mut self) -> Result<ImportSummary, Rejected> {
        self.find_duplicates();
        if self.problems.is_empty() {
            Ok(self.summary)
        } else {
            self.problems.sort();
            Err(Rejected(self.problems))
        }
    }
}

/// Validates a users file without keeping a plan: the counts, the groups to
/// create and the notes, or every problem found.
pub fn validate_users<R: Read, T: ImportTarget + ?Sized>(
    input: R,
    target: &T,
    options: &ImportOptions,
) -> Result<ImportSummary, Rejected> {
    let (mut imp, mut table) = Importer::open(input, target, options)?;
    while let Some((line, record)) = table.next_record(&mut imp.problems) {
        imp.row(line, record, false);
    }
    imp.finish()
}

/// Plans a users file row by row, calling `each` with every planned row.
/// Rows are handed out as they are read, before later rows are checked: to
/// keep the import all-or-nothing, run [`validate_users`] first and stream
/// only a file that passed. Returns the summary, or the problems found.
pub fn stream_users<R: Read, T: ImportTarget + ?Sized>(
    input: R,
    target: &T,
    options: &ImportOptions,
    mut each: impl FnMut(PlannedRow),
) -> Result<ImportSummary, Rejected> {
    stream_users_while(input, target, options, |row| {
        each(row);
        true
    })
}

/// Like [`stream_users`], stopping after the first row for which `each`
/// answers `false` (a page of the plan needs no row past its end). The
/// summary then counts only the rows read.
pub fn stream_users_while<R: Read, T: ImportTarget + ?Sized>(
    input: R,
    target: &T,
    options: &ImportOptions,
    mut each: impl FnMut(PlannedRow) -> bool,
) -> Result<ImportSummary, Rejected> {
    let (mut imp, mut table) = Importer::open(input, target, options)?;
    while let Some((line, record)) = table.next_record(&mut imp.problems) {
        if let Some(row) = imp.row(line, record, true)
            && !each(row)
        {
            break;
        }
    }
    imp.finish()
}

/// Validates and plans a users file held in memory: the whole plan, or
/// every problem (and then nothing is planned).
pub fn plan_users<T: ImportTarget + ?Sized>(
    input: &[u8],
    target: &T,
    options: &ImportOptions,
) -> Result<ImportPlan, Rejected> {
    let mut rows = Vec::new();
    let summary = stream_users(input, target, options, |r| rows.push(r))?;
    let group_operations = summary
        .groups_to_create
        .iter()
        .map(|g| Operation::CreateGroup { group: g.clone() })
        .collect();
    Ok(ImportPlan {
        summary,
        group_operations,
        rows,
    })
}
