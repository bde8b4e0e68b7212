//! The standalone host's user directory, embedded in SQLite.
//!
//! `seatwarden serve` needs a directory that behaves like a product's so a
//! newcomer can watch policies act on something real: internal and
//! read-only (LDAP) directories, groups, licence seats, logins. This crate
//! implements the service's [`Host`] port over one SQLite file (by default
//! `directory.db` beside the store's file) with exactly the semantics of the
//! reference [`MemoryDirectory`](seatwarden_service::host::memory::MemoryDirectory),
//! because both ask the same rules
//! ([`seatwarden_service::host::rules`]) what an operation may do:
//!
//! - a read-only directory refuses user writes, and membership changes
//!   outside its local groups;
//! - admin groups cannot be deleted;
//! - usernames are unique case-insensitively;
//! - licence seats are counted from the memberships of active users, and a
//!   write that would take a seat of a full application fails with
//!   [`OperationFailure::NoSeat`];
//! - configured delete vetoes refuse deletions;
//! - deactivations, logins and creations are stamped with the directory's
//!   clock (the real clock unless a test pins it).
//!
//! Why SQLite and not the store's file: the directory stands in for the
//! *product's* database, which the service never writes except through
//! [`Host::apply`]; keeping it in its own file keeps that boundary visible
//! and lets a test reset one without the other. Several processes may open
//! the same file (the two-node test): WAL, a busy timeout, and every write in
//! one immediate transaction.

mod apply;
mod first_users;
mod schema;
mod seats;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use rusqlite::{Connection, OptionalExtension, params};
use seatwarden_core::activity::SignalDecl;
use seatwarden_core::model::{Directory, Group, Licence, UserKey};
use seatwarden_core::operation::{Handover, Operation, OperationFailure};
use seatwarden_core::snapshot::{SnapshotFile, SnapshotHeader, SnapshotUser};
use seatwarden_core::time::Millis;
use seatwarden_service::host::{Applied, FirstUsers, Host, HostError, UsersPage};

/// The file name of the directory inside a data directory.
pub const FILE_NAME: &str = "directory.db";

/// What can go wrong opening, seeding or administering the directory
/// (as opposed to a refused [`Operation`], which is an [`OperationFailure`]).
#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    /// SQLite reported an error.
    #[error("directory database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored value could not be read back.
    #[error("directory database holds an invalid `{field}`: {message}")]
    Corrupt {
        /// Which stored value.
        field: &'static str,
        /// What was wrong.
        message: String,
    },
    /// The file was written by a newer build.
    #[error("directory schema version {found} is newer than this build's {supported}")]
    TooNew {
        /// The file's version.
        found: i64,
        /// This build's version.
        supported: i64,
    },
    /// Seeding found two users whose usernames collide.
    #[error("seed user `{key}`: field `username`: already used by another user")]
    DuplicateUsername {
        /// The later user's key.
        key: UserKey,
    },
}

/// Where the directory's "now" comes from.
type Clock = Arc<dyn Fn() -> Millis + Send + Sync>;

fn system_clock() -> Millis {
    Millis(chrono::Utc::now().timestamp_millis())
}

/// The embedded directory; see the crate docs.
pub struct SqliteDirectory {
    /// A read-only connection for [`Host::first_users_by_username`], opened
    /// on first use (see `first_users`). Declared before `conn` so it is
    /// closed first: the last connection to close checkpoints the
    /// write-ahead log into the file, which a read-only one cannot do.
    reader: Mutex<Option<Connection>>,
    conn: Mutex<Connection>,
    clock: RwLock<Clock>,
    path: PathBuf,
}

/// The header parts the directory keeps as JSON in `meta`.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parts {
    pub(crate) directories: Vec<Directory>,
    pub(crate) groups: Vec<Group>,
    pub(crate) licences: Vec<Licence>,
    pub(crate) sysadmins: Vec<UserKey>,
    /// Activity signals besides the last login (`users.activity` aligns with them).
    pub(crate) signals: Vec<SignalDecl>,
}

impl Parts {
    /// The snapshot header these parts make, taken at `taken_at`.
    pub(crate) fn into_header(self, taken_at: Millis) -> SnapshotHeader {
        SnapshotHeader {
            taken_at,
            directories: self.directories,
            groups: self.groups,
            licences: self.licences,
            sysadmins: self.sysadmins,
            signals: self.signals,
        }
    }
}

impl SqliteDirectory {
    /// Opens (creating if needed) the directory at `path` and brings its
    /// schema up to date. The clock is the real clock.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteDirectory, DirectoryError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = Connection::open(&path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let found = schema::migrate(&mut conn)?;
        if found > schema::latest() {
            return Err(DirectoryError::TooNew {
                found,
                supported: schema::latest(),
            });
        }
        Ok(SqliteDirectory {
            reader: Mutex::new(None),
            conn: Mutex::new(conn),
            clock: RwLock::new(Arc::new(system_clock)),
            path,
        })
    }

    /// Opens `dir/`[`FILE_NAME`].
    pub fn open_in(dir: impl AsRef<Path>) -> Result<SqliteDirectory, DirectoryError> {
        Self::open(dir.as_ref().join(FILE_NAME))
    }

    /// The file this directory lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Pins the directory's clock at `now` (tests and reproducible demos).
    pub fn set_time(&self, now: Millis) {
        *self.clock.write() = Arc::new(move || now);
    }

    /// Replaces the directory's clock (the server's test clock).
    pub fn set_clock(&self, clock: impl Fn() -> Millis + Send + Sync + 'static) {
        *self.clock.write() = Arc::new(clock);
    }

    /// The directory's current instant.
    pub fn now(&self) -> Millis {
        let clock = self.clock.read().clone();
        clock()
    }

    /// True when the directory holds no users and no groups (never seeded).
    pub fn is_empty(&self) -> Result<bool, DirectoryError> {
        let conn = self.conn.lock();
        let users: i64 = conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        let meta: i64 = conn.query_row("SELECT COUNT(*) FROM meta", [], |r| r.get(0))?;
        Ok(users == 0 && meta == 0)
    }

    /// Fills an empty directory with `snapshot`'s contents; does nothing and
    /// answers `false` if the directory was seeded before. Seat counts are
    /// recomputed from memberships, as the reference directory does.
    pub fn seed(&self, snapshot: &SnapshotFile) -> Result<bool, DirectoryError> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let meta: i64 = tx.query_row("SELECT COUNT(*) FROM meta", [], |r| r.get(0))?;
        let users: i64 = tx.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        if meta > 0 || users > 0 {
            return Ok(false);
        }
        fill(&tx, snapshot)?;
        tx.commit()?;
        Ok(true)
    }

    /// Replaces everything the directory holds with `snapshot`'s contents,
    /// in one transaction (a failure leaves the old contents). Only a
    /// preview-only server (`seatwarden serve --snapshot`) does this: its
    /// directory is a copy of a file the admin loaded, never the real one.
    pub fn replace_all(&self, snapshot: &SnapshotFile) -> Result<(), DirectoryError> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for table in [
            "memberships",
            "delete_vetoes",
            "open_issues",
            "handovers",
            "logins",
            "users",
            "meta",
        ] {
            tx.execute(&format!("DELETE FROM {table}"), [])?;
        }
        fill(&tx, snapshot)?;
        tx.commit()?;
        Ok(())
    }

    /// Makes the directory refuse to delete `user`, giving `reason`.
    pub fn veto_delete(&self, user: &UserKey, reason: &str) -> Result<(), DirectoryError> {
        self.conn.lock().execute(
            "INSERT OR REPLACE INTO delete_vetoes (user_key, reason) VALUES (?1, ?2)",
            params![user.0, reason],
        )?;
        Ok(())
    }

    /// Gives `user` `count` open issues (for handover tests and demos).
    pub fn set_open_issues(&self, user: &UserKey, count: u32) -> Result<(), DirectoryError> {
        self.conn.lock().execute(
            "INSERT OR REPLACE INTO open_issues (user_key, count) VALUES (?1, ?2)",
            params![user.0, count],
        )?;
        Ok(())
    }

    /// The handovers performed so far: whose issues, to where, how many.
    pub fn handovers(&self) -> Result<Vec<(UserKey, Handover, u32)>, DirectoryError> {
        let conn = self.conn.lock();
        let mut stmt =
            conn.prepare("SELECT user_key, target, moved FROM handovers ORDER BY seq")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, u32>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (user, target, moved) = row?;
            let target: Handover =
                serde_json::from_str(&target).map_err(|e| DirectoryError::Corrupt {
                    field: "handovers.target",
                    message: e.to_string(),
                })?;
            out.push((UserKey::from(user), target, moved));
        }
        Ok(out)
    }

    /// Records a successful login of `username` at `at`. Returns the user's
    /// key, or `None` if no such user exists or the account is deactivated
    /// (a deactivated user cannot log in). The login count grows only where
    /// the directory counts logins.
    pub fn record_login_at(
        &self,
        username: &str,
        at: Millis,
    ) -> Result<Option<UserKey>, DirectoryError> {
        let mut conn = self.conn.lock();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: Option<(String, bool)> = tx
            .query_row(
                "SELECT key, active FROM users WHERE username_folded = ?1",
                params![username.to_lowercase()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((key, true)) = found else {
            return Ok(None);
        };
        tx.execute(
            "UPDATE users SET last_login = ?2,
             login_count = CASE WHEN login_count IS NULL THEN NULL ELSE login_count + 1 END
             WHERE key = ?1",
            params![key, at.0],
        )?;
        tx.execute(
            "INSERT INTO logins (user_key, at) VALUES (?1, ?2)",
            params![key, at.0],
        )?;
        tx.commit()?;
        Ok(Some(UserKey::from(key)))
    }

    /// How many logins were recorded since the directory was created.
    pub fn logins_recorded(&self) -> Result<u64, DirectoryError> {
        let n: i64 = self
            .conn
            .lock()
            .query_row("SELECT COUNT(*) FROM logins", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Every username, in key order (for simulated logins).
    pub fn usernames(&self) -> Result<Vec<String>, DirectoryError> {
        let conn = self.conn.lock();
        let mut stmt = conn.prepare("SELECT username FROM users ORDER BY key")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    fn read_header(&self) -> Result<SnapshotHeader, DirectoryError> {
        let now = self.now();
        let conn = self.conn.lock();
        let tx = conn.unchecked_transaction()?;
        let mut parts = apply::load_parts(&tx)?;
        let seats = seats::seats_used(&tx, &parts.licences)?;
        for (licence, used) in parts.licences.iter_mut().zip(seats) {
            licence.seats_used = used;
        }
        tx.commit()?;
        Ok(parts.into_header(now))
    }

    fn read_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, DirectoryError> {
        let limit = limit.max(1);
        let conn = self.conn.lock();
        let tx = conn.unchecked_transaction()?;
        let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
        let mut users = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {} FROM users WHERE key > ?1 ORDER BY key LIMIT ?2",
                apply::USER_COLUMNS
            ))?;
            let rows = stmt.query_map(params![cursor.unwrap_or(""), fetch], apply::user_row)?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        // `key > ''` skips nothing: keys are never empty.
        let more = users.len() > limit;
        users.truncate(limit);
        if let (Some(first), Some(last)) = (users.first(), users.last()) {
            let (first, last) = (first.key.clone(), last.key.clone());
            // Primary-key order, so SQLite walks the table's B-tree and sorts
            // nothing: `ORDER BY user_key, group_name` built a temporary
            // B-tree per page, most of the 3.6-3.9 s first page after a
            // restart at 1M users. Each user's few groups are put in name
            // order below instead, so pages are unchanged.
            let mut stmt = tx.prepare_cached(
                "SELECT user_key, group_name FROM memberships
                 WHERE user_key >= ?1 AND user_key <= ?2 ORDER BY user_key, group_folded",
            )?;
            let mut rows = stmt.query(params![first, last])?;
            let mut index = 0usize;
            while let Some(row) = rows.next()? {
                // Compared in place: only the group name is kept, so a
                // membership costs one allocation, not two.
                let key = row
                    .get_ref(0)?
                    .as_str()
                    .map_err(|e| DirectoryError::Corrupt {
                        field: "memberships.user_key",
                        message: e.to_string(),
                    })?;
                while users.get(index).is_some_and(|u| u.key.as_str() < key) {
                    index += 1;
                }
                if let Some(user) = users.get_mut(index).filter(|u| u.key == key) {
                    user.groups.push(row.get(1)?);
                }
            }
            for user in &mut users {
                user.groups.sort_unstable();
            }
        }
        drop(tx);
        let next = if more {
            users.last().map(|u| u.key.clone())
        } else {
            None
        };
        Ok(UsersPage { users, next })
    }

    fn read_first_users(&self, limit: usize) -> Result<FirstUsers, DirectoryError> {
        let now = self.now();
        let mut reader = self.reader.lock();
        let conn = match reader.as_mut() {
            Some(conn) => conn,
            None => reader.insert(first_users::open_reader(&self.path)?),
        };
        first_users::first_users(conn, limit, now)
    }

    fn read_user(&self, by: apply::Lookup<'_>) -> Result<Option<SnapshotUser>, DirectoryError> {
        let conn = self.conn.lock();
        let tx = conn.unchecked_transaction()?;
        let user = apply::load_user(&tx, by)?;
        drop(tx);
        Ok(user)
    }
}

fn unavailable(error: DirectoryError) -> HostError {
    HostError::Unavailable(error.to_string())
}

impl Host for SqliteDirectory {
    fn header(&self) -> Result<SnapshotHeader, HostError> {
        self.read_header().map_err(unavailable)
    }

    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError> {
        self.read_page(cursor, limit).map_err(unavailable)
    }

    fn first_users_by_username(&self, limit: usize) -> Option<Result<FirstUsers, HostError>> {
        Some(self.read_first_users(limit).map_err(unavailable))
    }

    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, HostError> {
        self.read_user(apply::Lookup::Key(&key.0))
            .map_err(unavailable)
    }

    fn user_by_username(&self, username: &str) -> Result<Option<SnapshotUser>, HostError> {
        self.read_user(apply::Lookup::Username(username))
            .map_err(unavailable)
    }

    fn record_login(&self, username: &str, at: Millis) -> Result<Option<UserKey>, HostError> {
        self.record_login_at(username, at).map_err(unavailable)
    }

    fn replace_directory(&self, snapshot: &SnapshotFile) -> Result<(), HostError> {
        self.replace_all(snapshot)
            .map_err(|e| HostError::Unavailable(e.to_string()))
    }

    fn apply(&self, operation: &Operation) -> Result<Applied, OperationFailure> {
        let now = self.now();
        let mut conn = self.conn.lock();
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(apply::host_failure)?;
        let applied = apply::apply(&tx, operation, now)?;
        tx.commit().map_err(apply::host_failure)?;
        Ok(applied)
    }
}

/// Writes `snapshot` into an emptied directory inside `tx`. Seat counts are
/// recomputed from memberships, as the reference directory does.
fn fill(tx: &rusqlite::Transaction<'_>, snapshot: &SnapshotFile) -> Result<(), DirectoryError> {
    let header = &snapshot.header;
    let parts = Parts {
        directories: header.directories.clone(),
        groups: header.groups.clone(),
        licences: header.licences.clone(),
        sysadmins: header.sysadmins.clone(),
        signals: header.signals.clone(),
    };
    apply::save_parts(tx, &parts)?;
    {
        let mut insert_user = tx.prepare(
            "INSERT OR IGNORE INTO users (key, username, username_folded, display_name, email,
             directory_id, active, created, last_login, login_count, deactivated_at, activity)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        let mut insert_member = tx.prepare(
            "INSERT OR IGNORE INTO memberships (user_key, group_folded, group_name)
             VALUES (?1, ?2, ?3)",
        )?;
        for user in snapshot.pages.iter().flat_map(|p| &p.users) {
            let inserted = insert_user.execute(params![
                user.key,
                user.username,
                user.username.to_lowercase(),
                user.display_name,
                user.email,
                user.directory_id,
                user.active,
                user.created,
                user.last_login,
                user.login_count,
                user.deactivated_at,
                apply::activity_text(&user.activity),
            ]);
            match inserted {
                Ok(1) => {}
                Ok(_) => {
                    return Err(DirectoryError::Corrupt {
                        field: "users",
                        message: format!("duplicate key `{}`", user.key),
                    });
                }
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    return Err(DirectoryError::DuplicateUsername {
                        key: UserKey::from(user.key.clone()),
                    });
                }
                Err(e) => return Err(e.into()),
            }
            for group in &user.groups {
                insert_member.execute(params![user.key, group.to_lowercase(), group])?;
            }
        }
    }
    Ok(())
}
