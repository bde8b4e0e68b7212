//! Reading users and applying one [`Operation`] inside a transaction.
//!
//! What an operation may do is decided by the service's shared directory
//! rules (`seatwarden_service::host::rules`), the same ones the reference
//! in-memory directory asks, so both answer every operation with the same
//! success or [`OperationFailure`]; this module reads what the rules need
//! from the database and stores the change they allow. A refused operation
//! rolls its transaction back, so nothing is half-applied.

use rusqlite::{OptionalExtension, Row, Transaction, params};
use seatwarden_core::activity::ActivityValues;
use seatwarden_core::model::{Directory, Group, Licence, UserKey};
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_core::snapshot::SnapshotUser;
use seatwarden_core::time::Millis;
use seatwarden_service::host::Applied;
use seatwarden_service::host::rules::{self, Change, DirectoryView};

use crate::{DirectoryError, Parts};

/// The `users` columns [`user_row`] reads, in order.
pub(crate) const USER_COLUMNS: &str = "key, username, display_name, email, directory_id, active, \
     created, last_login, login_count, deactivated_at, activity";

/// How to find one user.
#[derive(Clone, Copy)]
pub(crate) enum Lookup<'a> {
    /// By key.
    Key(&'a str),
    /// By username, case-insensitively.
    Username(&'a str),
}

/// A user row without groups.
pub(crate) fn user_row(row: &Row<'_>) -> rusqlite::Result<SnapshotUser> {
    Ok(SnapshotUser {
        key: row.get(0)?,
        username: row.get(1)?,
        display_name: row.get(2)?,
        email: row.get(3)?,
        directory_id: row.get(4)?,
        active: row.get(5)?,
        created: row.get(6)?,
        last_login: row.get(7)?,
        login_count: row.get(8)?,
        deactivated_at: row.get(9)?,
        suspended: false,
        groups: Vec::new(),
        activity: match row.get::<_, Option<String>>(10)? {
            None => ActivityValues::EMPTY,
            Some(text) => serde_json::from_str(&text).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    10,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
        },
    })
}

/// A user's activity as the `users.activity` column keeps it: a JSON array,
/// or NULL when they carry none.
pub(crate) fn activity_text(values: &ActivityValues) -> Option<String> {
    if values.is_empty() {
        return None;
    }
    let list: Vec<Option<i64>> = values.as_slice().to_vec();
    serde_json::to_string(&list).ok()
}

/// One user with their groups.
pub(crate) fn load_user(
    tx: &Transaction<'_>,
    by: Lookup<'_>,
) -> Result<Option<SnapshotUser>, DirectoryError> {
    let (sql, value) = match by {
        Lookup::Key(key) => (
            format!("SELECT {USER_COLUMNS} FROM users WHERE key = ?1"),
            key.to_owned(),
        ),
        Lookup::Username(name) => (
            format!("SELECT {USER_COLUMNS} FROM users WHERE username_folded = ?1"),
            name.to_lowercase(),
        ),
    };
    let Some(mut user) = tx
        .prepare_cached(&sql)?
        .query_row(params![value], user_row)
        .optional()?
    else {
        return Ok(None);
    };
    let mut stmt = tx.prepare_cached(
        "SELECT group_name FROM memberships WHERE user_key = ?1 ORDER BY group_name",
    )?;
    let groups = stmt.query_map(params![user.key], |r| r.get::<_, String>(0))?;
    user.groups = groups.collect::<Result<_, _>>()?;
    Ok(Some(user))
}

fn corrupt(field: &'static str) -> impl Fn(serde_json::Error) -> DirectoryError {
    move |e| DirectoryError::Corrupt {
        field,
        message: e.to_string(),
    }
}

fn meta<T: serde::de::DeserializeOwned + Default>(
    tx: &Transaction<'_>,
    name: &'static str,
) -> Result<T, DirectoryError> {
    let value: Option<String> = tx
        .prepare_cached("SELECT value FROM meta WHERE name = ?1")?
        .query_row(params![name], |r| r.get(0))
        .optional()?;
    match value {
        Some(text) => serde_json::from_str(&text).map_err(corrupt(name)),
        None => Ok(T::default()),
    }
}

fn put_meta<T: serde::Serialize>(
    tx: &Transaction<'_>,
    name: &'static str,
    value: &T,
) -> Result<(), DirectoryError> {
    let text = serde_json::to_string(value).map_err(corrupt(name))?;
    tx.prepare_cached("INSERT OR REPLACE INTO meta (name, value) VALUES (?1, ?2)")?
        .execute(params![name, text])?;
    Ok(())
}

/// Directories, groups, licences and sysadmins as stored.
pub(crate) fn load_parts(tx: &Transaction<'_>) -> Result<Parts, DirectoryError> {
    Ok(Parts {
        directories: meta(tx, "directories")?,
        groups: meta(tx, "groups")?,
        licences: meta(tx, "licences")?,
        sysadmins: meta(tx, "sysadmins")?,
        signals: meta(tx, "signals")?,
    })
}

/// Stores every header part.
pub(crate) fn save_parts(tx: &Transaction<'_>, parts: &Parts) -> Result<(), DirectoryError> {
    put_meta(tx, "directories", &parts.directories)?;
    put_meta(tx, "groups", &parts.groups)?;
    put_meta(tx, "licences", &parts.licences)?;
    put_meta(tx, "sysadmins", &parts.sysadmins)?;
    put_meta(tx, "signals", &parts.signals)?;
    Ok(())
}

/// Maps a database failure inside an operation to the port's failure.
pub(crate) fn host_failure(error: impl Into<DirectoryError>) -> OperationFailure {
    OperationFailure::Host(error.into().to_string())
}

/// The shared rules' view of the directory inside one transaction.
struct TxView<'a, 't> {
    tx: &'a Transaction<'t>,
    parts: &'a Parts,
}

impl DirectoryView for TxView<'_, '_> {
    fn directories(&self) -> &[Directory] {
        &self.parts.directories
    }

    fn groups(&self) -> &[Group] {
        &self.parts.groups
    }

    fn licences(&self) -> &[Licence] {
        &self.parts.licences
    }

    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, OperationFailure> {
        load_user(self.tx, Lookup::Key(&key.0)).map_err(host_failure)
    }

    fn username_owner(&self, folded: &str) -> Result<Option<String>, OperationFailure> {
        self.tx
            .prepare_cached("SELECT key FROM users WHERE username_folded = ?1")
            .and_then(|mut s| s.query_row(params![folded], |r| r.get(0)).optional())
            .map_err(host_failure)
    }

    fn seats_used(&self, licence: usize) -> Result<u32, OperationFailure> {
        match self.parts.licences.get(licence) {
            Some(l) => crate::seats::seats_used(self.tx, std::slice::from_ref(l))
                .map(|counts| counts.first().copied().unwrap_or(0))
                .map_err(host_failure),
            None => Ok(0),
        }
    }

    fn delete_veto(&self, user: &UserKey) -> Result<Option<String>, OperationFailure> {
        self.tx
            .prepare_cached("SELECT reason FROM delete_vetoes WHERE user_key = ?1")
            .and_then(|mut s| s.query_row(params![user.0], |r| r.get(0)).optional())
            .map_err(host_failure)
    }
}

fn exec(
    tx: &Transaction<'_>,
    sql: &str,
    values: impl rusqlite::Params,
) -> Result<usize, OperationFailure> {
    tx.prepare_cached(sql)
        .and_then(|mut s| s.execute(values))
        .map_err(host_failure)
}

fn next_user_key(tx: &Transaction<'_>) -> Result<String, OperationFailure> {
    let mut next: u64 = meta(tx, "next_user").map_err(host_failure)?;
    loop {
        next = next.saturating_add(1);
        let candidate = format!("SWUSER{next}");
        let taken: Option<i64> = tx
            .prepare_cached("SELECT 1 FROM users WHERE key = ?1")
            .and_then(|mut s| s.query_row(params![candidate], |r| r.get(0)).optional())
            .map_err(host_failure)?;
        if taken.is_none() {
            put_meta(tx, "next_user", &next).map_err(host_failure)?;
            return Ok(candidate);
        }
    }
}

/// Applies `operation` at `now` inside `tx`; the caller commits on success.
/// The shared rules decide; this only stores their change.
pub(crate) fn apply(
    tx: &Transaction<'_>,
    operation: &Operation,
    now: Millis,
) -> Result<Applied, OperationFailure> {
    let mut parts = load_parts(tx).map_err(host_failure)?;
    let change = rules::decide(&TxView { tx, parts: &parts }, operation)?;
    match change {
        Change::Nothing => {}
        Change::Activate { user } => {
            exec(
                tx,
                "UPDATE users SET active = 1, deactivated_at = NULL WHERE key = ?1",
                params![user.0],
            )?;
        }
        Change::Deactivate { user } => {
            exec(
                tx,
                "UPDATE users SET active = 0, deactivated_at = ?2 WHERE key = ?1",
                params![user.0, now.0],
            )?;
        }
        Change::Rename { user, to, .. } => {
            exec(
                tx,
                "UPDATE users SET username = ?2, username_folded = ?3 WHERE key = ?1",
                params![user.0, to.0, to.folded()],
            )?;
        }
        Change::Delete { user, .. } => {
            exec(
                tx,
                "DELETE FROM memberships WHERE user_key = ?1",
                params![user.0],
            )?;
            exec(tx, "DELETE FROM users WHERE key = ?1", params![user.0])?;
        }
        Change::AddMembership { user, group } => {
            exec(
                tx,
                "INSERT OR IGNORE INTO memberships (user_key, group_folded, group_name)
                 VALUES (?1, ?2, ?3)",
                params![user.0, group.folded(), group.0],
            )?;
        }
        Change::RemoveMembership { user, group } => {
            exec(
                tx,
                "DELETE FROM memberships WHERE user_key = ?1 AND group_folded = ?2",
                params![user.0, group.folded()],
            )?;
        }
        Change::HandOver { user, to } => {
            let moved: Option<u32> = tx
                .prepare_cached("SELECT count FROM open_issues WHERE user_key = ?1")
                .and_then(|mut s| s.query_row(params![user.0], |r| r.get(0)).optional())
                .map_err(host_failure)?;
            exec(
                tx,
                "DELETE FROM open_issues WHERE user_key = ?1",
                params![user.0],
            )?;
            let target = serde_json::to_string(&to)
                .map_err(|e| OperationFailure::Host(format!("handover not serialisable: {e}")))?;
            exec(
                tx,
                "INSERT INTO handovers (user_key, target, moved) VALUES (?1, ?2, ?3)",
                params![user.0, target, moved.unwrap_or(0)],
            )?;
        }
        Change::CreateGroup { group } => {
            parts.groups.push(Group {
                name: group,
                admin: false,
                licence: false,
            });
            put_meta(tx, "groups", &parts.groups).map_err(host_failure)?;
        }
        Change::DeleteGroup { group } => {
            let folded = group.folded();
            parts.groups.retain(|g| g.name.folded() != folded);
            put_meta(tx, "groups", &parts.groups).map_err(host_failure)?;
            exec(
                tx,
                "DELETE FROM memberships WHERE group_folded = ?1",
                params![folded],
            )?;
        }
        Change::CreateUser {
            username,
            display_name,
            email,
            directory,
            active,
        } => {
            let key = next_user_key(tx)?;
            exec(
                tx,
                "INSERT INTO users (key, username, username_folded, display_name, email,
                 directory_id, active, created, last_login, login_count, deactivated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, 0, NULL)",
                params![
                    key,
                    username.0,
                    username.folded(),
                    display_name,
                    email,
                    directory.0,
                    active,
                    now.0
                ],
            )?;
            return Ok(Applied {
                created_user: Some(UserKey::from(key)),
            });
        }
        Change::UpdateUser {
            user,
            display_name,
            email,
        } => {
            if let Some(name) = display_name {
                exec(
                    tx,
                    "UPDATE users SET display_name = ?2 WHERE key = ?1",
                    params![user.0, name],
                )?;
            }
            if let Some(address) = email {
                exec(
                    tx,
                    "UPDATE users SET email = ?2 WHERE key = ?1",
                    params![user.0, address],
                )?;
            }
        }
    }
    Ok(Applied::default())
}
