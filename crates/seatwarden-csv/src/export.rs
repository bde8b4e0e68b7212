//! Users export: the admin's chosen columns for a selection of users.
//!
//! The export is streamed: rows come from an iterator (the selected users,
//! or every user the current filter matches) and go straight into an
//! [`io::Write`], so exporting 1M users needs the same memory as exporting
//! ten. The file is RFC 4180 (CRLF line ends, quotes only where needed),
//! UTF-8 with an optional byte-order mark so spreadsheet programs pick the
//! right encoding, timestamps are UTC ISO 8601, and every cell is
//! neutralised against formula injection (see [`crate::cell`]).
//!
//! Users reach the exporter through the [`ExportUser`] trait, so the same
//! code exports engine [`User`]s, snapshot users or rows of the directory
//! index without copying them into an intermediate struct.

use std::collections::{HashMap, HashSet};
use std::io;

use seatwarden_core::{Directory, DirectoryId, Licence, Millis, User};

use crate::cell;
use crate::table::BOM;
use crate::timestamp;

/// A column of the users export, in the order the admin picks them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UserColumn {
    /// The stable user key.
    Key,
    /// The login name.
    Username,
    /// The full name.
    DisplayName,
    /// The email address.
    Email,
    /// The directory's name.
    Directory,
    /// `true` or `false`.
    Active,
    /// Access suspended (Atlassian Cloud): `true` or `false` in a directory
    /// that has the state, empty in one that has not (every Data Center
    /// directory): "not suspended" would claim a state the product lacks.
    Suspended,
    /// Account creation, UTC ISO 8601.
    Created,
    /// Last login, UTC ISO 8601; empty if never.
    LastLogin,
    /// Number of logins; empty where the product does not count them.
    LoginCount,
    /// Direct groups, `;`-separated.
    Groups,
    /// Application keys the user's groups grant, `;`-separated.
    LicensedApplications,
}

impl UserColumn {
    /// Every column, in the default order.
    pub const ALL: [UserColumn; 12] = [
        UserColumn::Key,
        UserColumn::Username,
        UserColumn::DisplayName,
        UserColumn::Email,
        UserColumn::Directory,
        UserColumn::Active,
        UserColumn::Suspended,
        UserColumn::Created,
        UserColumn::LastLogin,
        UserColumn::LoginCount,
        UserColumn::Groups,
        UserColumn::LicensedApplications,
    ];

    /// The header text.
    pub fn header(self) -> &'static str {
        match self {
            UserColumn::Key => "key",
            UserColumn::Username => "username",
            UserColumn::DisplayName => "display name",
            UserColumn::Email => "email",
            UserColumn::Directory => "directory",
            UserColumn::Active => "active",
            UserColumn::Suspended => "suspended",
            UserColumn::Created => "created",
            UserColumn::LastLogin => "last login",
            UserColumn::LoginCount => "login count",
            UserColumn::Groups => "groups",
            UserColumn::LicensedApplications => "licensed applications",
        }
    }

    /// The column a (normalised) header names, if any.
    pub fn from_header(normalised: &str) -> Option<UserColumn> {
        Some(match normalised {
            "key" | "user key" => UserColumn::Key,
            "username" | "user name" | "login" => UserColumn::Username,
            "display name" | "full name" | "name" => UserColumn::DisplayName,
            "email" | "email address" | "e mail" => UserColumn::Email,
            "directory" => UserColumn::Directory,
            "active" => UserColumn::Active,
            "suspended" => UserColumn::Suspended,
            "created" => UserColumn::Created,
            "last login" => UserColumn::LastLogin,
            "login count" => UserColumn::LoginCount,
            "groups" | "group" => UserColumn::Groups,
            "licensed applications" | "applications" => UserColumn::LicensedApplications,
            _ => return None,
        })
    }
}

/// What the exporter needs to know about one user.
pub trait ExportUser {
    /// Stable key.
    fn key(&self) -> &str;
    /// Login name.
    fn username(&self) -> &str;
    /// Full name.
    fn display_name(&self) -> &str;
    /// Email address.
    fn email(&self) -> &str;
    /// Directory id.
    fn directory(&self) -> DirectoryId;
    /// Active or not.
    fn active(&self) -> bool;
    /// Access suspended (Atlassian Cloud). The default, for users of a
    /// product without the state: no.
    fn suspended(&self) -> bool {
        false
    }
    /// Creation instant.
    fn created(&self) -> Millis;
    /// Last login, if any.
    fn last_login(&self) -> Option<Millis>;
    /// Login count, if counted.
    fn login_count(&self) -> Option<u32>;
    /// Calls `each` with every direct group's name.
    fn for_each_group(&self, each: &mut dyn FnMut(&str));
}

impl ExportUser for User {
    fn key(&self) -> &str {
        self.key.as_str()
    }
    fn username(&self) -> &str {
        self.username.as_str()
    }
    fn display_name(&self) -> &str {
        &self.display_name
    }
    fn email(&self) -> &str {
        &self.email
    }
    fn directory(&self) -> DirectoryId {
        self.directory
    }
    fn active(&self) -> bool {
        self.active
    }
    fn created(&self) -> Millis {
        self.created
    }
    fn last_login(&self) -> Option<Millis> {
        self.last_login
    }
    fn login_count(&self) -> Option<u32> {
        self.login_count
    }
    fn for_each_group(&self, each: &mut dyn FnMut(&str)) {
        for g in &self.groups {
            each(g.as_str());
        }
    }
}

impl<T: ExportUser + ?Sized> ExportUser for &T {
    fn key(&self) -> &str {
        (**self).key()
    }
    fn username(&self) -> &str {
        (**self).username()
    }
    fn display_name(&self) -> &str {
        (**self).display_name()
    }
    fn email(&self) -> &str {
        (**self).email()
    }
    fn directory(&self) -> DirectoryId {
        (**self).directory()
    }
    fn active(&self) -> bool {
        (**self).active()
    }
    fn suspended(&self) -> bool {
        (**self).suspended()
    }
    fn created(&self) -> Millis {
        (**self).created()
    }
    fn last_login(&self) -> Option<Millis> {
        (**self).last_login()
    }
    fn login_count(&self) -> Option<u32> {
        (**self).login_count()
    }
    fn for_each_group(&self, each: &mut dyn FnMut(&str)) {
        (**self).for_each_group(each)
    }
}

/// How to write the export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportOptions {
    /// The columns, in order. Empty means [`UserColumn::ALL`].
    pub columns: Vec<UserColumn>,
    /// Start the file with a UTF-8 byte-order mark (for spreadsheet programs).
    pub bom: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self {
            columns: UserColumn::ALL.to_vec(),
            bom: false,
        }
    }
}

/// Directory names and licence groups the exporter resolves ids against.
pub struct ExportContext {
    directory_names: HashMap<DirectoryId, String>,
    /// Directories whose users can be suspended (their `suspended` cells
    /// say `true` or `false`; others' stay empty).
    suspendable: HashSet<DirectoryId>,
    /// Folded group name → bit set of applications (index into `applications`).
    licence_groups: HashMap<String, u64>,
    applications: Vec<String>,
}

impl ExportContext {
    /// A context for these directories and licences. At most 64 applications
    /// are distinguished (a product has a handful).
    pub fn new(directories: &[Directory], licences: &[Licence]) -> Self {
        let directory_names = directories.iter().map(|d| (d.id, d.name.clone())).collect();
        let suspendable = directories
            .iter()
            .filter(|d| d.capabilities.suspend_user)
            .map(|d| d.id)
            .collect();
        let mut licence_groups: HashMap<String, u64> = HashMap::new();
        let mut applications = Vec::new();
        for (i, l) in licences.iter().take(64).enumerate() {
            applications.push(l.application.as_str().to_owned());
            for g in &l.groups {
                *licence_groups.entry(g.folded()).or_default() |= 1u64 << i;
            }
        }
        Self {
            directory_names,
            suspendable,
            licence_groups,
            applications,
        }
    }

    /// The name exported for a directory (its id when unknown).
    pub fn directory_name(&self, id: DirectoryId) -> Option<&str> {
        self.directory_names.get(&id).map(String::as_str)
    }
}

/// Writes users as CSV, one row at a time, in constant memory.
pub struct UsersWriter<'c, W: io::Write> {
    out: csv::Writer<W>,
    columns: Vec<UserColumn>,
    context: &'c ExportContext,
    scratch: Vec<u8>,
    list: Vec<u8>,
    fold: String,
    rows: u64,
}

impl<'c, W: io::Write> UsersWriter<'c, W> {
    /// Starts an export: writes the optional BOM and the header row.
    pub fn new(
        mut out: W,
        options: &ExportOptions,
        context: &'c ExportContext,
    ) -> io::Result<Self> {
        if options.bom {
            out.write_all(BOM)?;
        }
        let columns = if options.columns.is_empty() {
            UserColumn::ALL.to_vec()
        } else {
            options.columns.clone()
        };
        // `comment(Some(b';'))` is only there for its side effect on
        // writing: csv quotes every field that contains the comment byte.
        // So each `;`-joined list (groups, licensed applications), and any
        // other value holding a `;`, is one quoted cell, also for
        // spreadsheets set to split on `;` (the default separator in many
        // European locales). Nothing we write is ever read as a comment.
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .comment(Some(b';'))
            .buffer_capacity(256 * 1024)
            .from_writer(out);
        for c in &columns {
            out.write_field(c.header()).map_err(io::Error::other)?;
        }
        out.write_record(None::<&[u8]>).map_err(io::Error::other)?;
        Ok(Self {
            out,
            columns,
            context,
            scratch: Vec::new(),
            list: Vec::new(),
            fold: String::new(),
            rows: 0,
        })
    }

    fn cell(&mut self, value: &[u8]) -> io::Result<()> {
        let v = cell::neutralise(value, &mut self.scratch);
        self.out.write_field(v).map_err(io::Error::other)
    }

    /// Writes one user's row.
    pub fn write(&mut self, user: &dyn ExportUser) -> io::Result<()> {
        let mut ts = [0u8; timestamp::ISO_LEN];
        for i in 0..self.columns.len() {
            let Some(&col) = self.columns.get(i) else {
                break;
            };
            match col {
                UserColumn::Key => self.cell(user.key().as_bytes())?,
                UserColumn::Username => self.cell(user.username().as_bytes())?,
                UserColumn::DisplayName => self.cell(user.display_name().as_bytes())?,
                UserColumn::Email => self.cell(user.email().as_bytes())?,
                UserColumn::Directory => {
                    let id = user.directory();
                    match self.context.directory_names.get(&id) {
                        Some(name) => {
                            let v = cell::neutralise(name.as_bytes(), &mut self.scratch);
                            self.out.write_field(v).map_err(io::Error::other)?;
                        }
                        None => self.cell(id.to_string().as_bytes())?,
                    }
                }
                UserColumn::Active => self.cell(if user.active() { b"true" } else { b"false" })?,
                UserColumn::Suspended => {
                    if self.context.suspendable.contains(&user.directory()) {
                        self.cell(if user.suspended() { b"true" } else { b"false" })?;
                    } else {
                        self.cell(b"")?;
                    }
                }
                UserColumn::Created => self.time(Some(user.created()), &mut ts)?,
                UserColumn::LastLogin => self.time(user.last_login(), &mut ts)?,
                UserColumn::LoginCount => match user.login_count() {
                    Some(n) => {
                        let mut buf = [0u8; 10];
                        let text = u32_text(n, &mut buf);
                        self.out.write_field(text).map_err(io::Error::other)?;
                    }
                    None => self.cell(b"")?,
                },
                UserColumn::Groups => {
                    // Each name is neutralised on its own (a spreadsheet's
                    // "text to columns" on `;` must not turn `staff;=cmd()`
                    // into a formula), which also neutralises the cell as a
                    // whole: it starts with the first name, already marked.
                    // Marking the whole cell again would double that mark.
                    // The writer quotes every cell holding a `;` (see
                    // `new`), so the list stays one cell where `;` is the
                    // field separator. Readers restore per name.
                    let mut list = std::mem::take(&mut self.list);
                    let mut scratch = std::mem::take(&mut self.scratch);
                    list.clear();
                    user.for_each_group(&mut |g| {
                        if !list.is_empty() {
                            list.push(b';');
                        }
                        list.extend_from_slice(cell::neutralise(g.as_bytes(), &mut scratch));
                    });
                    let r = self.out.write_field(&list).map_err(io::Error::other);
                    self.list = list;
                    self.scratch = scratch;
                    r?;
                }
                UserColumn::LicensedApplications => {
                    let mut mask = 0u64;
                    let mut fold = std::mem::take(&mut self.fold);
                    let groups = &self.context.licence_groups;
                    user.for_each_group(&mut |g| {
                        fold.clear();
                        if g.is_ascii() {
                            fold.push_str(g);
                            fold.make_ascii_lowercase();
                        } else {
                            fold.push_str(&g.to_lowercase());
                        }
                        if let Some(m) = groups.get(fold.as_str()) {
                            mask |= *m;
                        }
                    });
                    self.fold = fold;
                    let mut list = std::mem::take(&mut self.list);
                    list.clear();
                    for (i, app) in self.context.applications.iter().enumerate() {
                        if mask & (1u64 << i) != 0 {
                            if !list.is_empty() {
                                list.push(b';');
                            }
                            list.extend_from_slice(app.as_bytes());
                        }
                    }
                    let r = self.cell(&list);
                    self.list = list;
                    r?;
                }
            }
        }
        self.out
            .write_record(None::<&[u8]>)
            .map_err(io::Error::other)?;
        self.rows += 1;
        Ok(())
    }

    fn time(&mut self, t: Option<Millis>, buf: &mut [u8; timestamp::ISO_LEN]) -> io::Result<()> {
        match t {
            None => self.out.write_field(b"").map_err(io::Error::other),
            Some(t) => match timestamp::format_into(t, buf) {
                Some(text) => self.out.write_field(text).map_err(io::Error::other),
                None => {
                    let slow = timestamp::format_slow(t);
                    self.cell(slow.as_bytes())
                }
            },
        }
    }

    /// Hands every row written so far to the underlying writer: a streamed
    /// export renders a batch of rows under the index lock, flushes, and
    /// sends the batch after releasing the lock.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Rows written so far (header excluded).
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(self) -> io::Result<W> {
        self.out
            .into_inner()
            .map_err(|e| io::Error::other(e.to_string()))
    }
}

fn u32_text(mut n: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or(&[])
}

/// Exports `users` to `out` and returns how many rows were written.
pub fn export_users<W, U, I>(
    out: W,
    options: &ExportOptions,
    context: &ExportContext,
    users: I,
) -> io::Result<u64>
where
    W: io::Write,
    U: ExportUser,
    I: IntoIterator<Item = U>,
{
    let mut w = UsersWriter::new(out, options, context)?;
    for u in users {
        w.write(&u)?;
    }
    let rows = w.rows();
    w.finish()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatwarden_core::{
        ApplicationKey, DirectoryCapabilities, DirectoryKind, GroupName, SeatLimit, UserKey,
        Username,
    };

    pub(crate) fn user(name: &str) -> User {
        User {
            key: UserKey::from(format!("K-{name}")),
            username: Username::from(name),
            display_name: format!("{name} Example"),
            email: format!("{name}@example.test"),
            directory: DirectoryId(1),
            active: true,
            created: Millis(1_700_000_000_000),
            last_login: None,
            login_count: Some(3),
            deactivated_at: None,
            groups: vec![
                GroupName::from("jira-software-users"),
                GroupName::from("devs"),
            ],
        }
    }

    fn context() -> ExportContext {
        let dir = Directory {
            id: DirectoryId(1),
            name: "Internal".into(),
            kind: DirectoryKind::Internal,
            capabilities: DirectoryCapabilities::ALL,
            local_groups: vec![],
        };
        let lic = Licence {
            application: ApplicationKey::from("jira-software"),
            name: "Jira Software".into(),
            limit: SeatLimit::Limited(10),
            seats_used: 1,
            groups: vec![GroupName::from("JIRA-software-users")],
        };
        ExportContext::new(&[dir], &[lic])
    }

    #[test]
    fn writes_header_bom_crlf_and_all_columns() {
        let mut u = user("ann");
        u.last_login = Some(Millis(1_795_226_400_000));
        let opts = ExportOptions {
            columns: UserColumn::ALL.to_vec(),
            bom: true,
        };
        let mut out = Vec::new();
        let n = export_users(&mut out, &opts, &context(), [&u]).unwrap();
        assert_eq!(n, 1);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\u{feff}key,username,display name,email,directory,active,suspended,created,last login,login count,groups,licensed applications\r\n\
             K-ann,ann,ann Example,ann@example.test,Internal,true,,2023-11-14T22:13:20.000Z,2026-11-21T02:00:00.000Z,3,\"jira-software-users;devs\",jira-software\r\n"
        );
    }

    #[test]
    fn neutralises_formulas_and_quotes_specials() {
        let mut u = user("bob");
        u.display_name = "=HYPERLINK(\"x\"),\n2".into();
        u.email = "-x@example.test".into();
        let opts = ExportOptions {
            columns: vec![
                UserColumn::DisplayName,
                UserColumn::Email,
                UserColumn::LastLogin,
            ],
            bom: false,
        };
        let mut out = Vec::new();
        export_users(&mut out, &opts, &context(), [&u]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "display name,email,last login\r\n\"'=HYPERLINK(\"\"x\"\"),\n2\",'-x@example.test,\r\n"
        );
    }

    #[test]
    fn the_groups_cell_is_quoted_and_neutralised_whole_and_per_name() {
        let mut u = user("eve");
        u.groups = vec![
            GroupName::from("=cmd()"),
            GroupName::from("staff"),
            GroupName::from("@SUM(A1)"),
            GroupName::from("'quoted"),
            GroupName::from("＋x"),
        ];
        let opts = ExportOptions {
            columns: vec![UserColumn::Username, UserColumn::Groups],
            bom: false,
        };
        let mut out = Vec::new();
        export_users(&mut out, &opts, &context(), [&u]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "username,groups\r\neve,\"'=cmd();staff;'@SUM(A1);''quoted;'＋x\"\r\n"
        );
        // Read back: every name exactly as it was.
        let back = crate::read_users_export(text.as_bytes()).unwrap();
        let names: Vec<String> = u.groups.iter().map(ToString::to_string).collect();
        assert_eq!(back[0].groups.as_deref(), Some(names.as_slice()));

        // One harmless name: nothing to quote or mark.
        u.groups = vec![GroupName::from("staff")];
        let mut out = Vec::new();
        export_users(&mut out, &opts, &context(), [&u]).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "username,groups\r\neve,staff\r\n"
        );
    }

    #[test]
    fn u32_text_formats() {
        let mut b = [0u8; 10];
        assert_eq!(u32_text(0, &mut b), b"0");
        assert_eq!(u32_text(4_294_967_295, &mut b), b"4294967295");
    }
}
