//! The first users in username order, read while the service builds its
//! index after a start (issue 19, "first Users page after restart").
//!
//! A restart at a million users spends seconds reading every user into the
//! index; the Users tab's default view (username order, no filter) needs
//! only its first page. `username_folded` is `str::to_lowercase` of the
//! username, unique, and indexed, and SQLite compares text bytewise, which
//! is exactly the index's username order (lower-cased name bytewise, then
//! key; the key never decides here because folded names are unique). So
//! the first users are a short walk of that index, with no sort.
//!
//! The read runs on a second, read-only connection opened on first use:
//! the index build holds the main connection for a whole page at a time
//! (and for the seat count, most of a second at 1M users), and in WAL mode a
//! reader waits for no writer.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};
use seatwarden_service::host::FirstUsers;

use crate::{DirectoryError, apply};

/// Opens the read-only connection.
pub(crate) fn open_reader(path: &Path) -> Result<Connection, DirectoryError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(30))?;
    Ok(conn)
}

/// The first `limit` users by folded username, the header (seat counts as
/// stored) and the number of users, all in one read transaction.
pub(crate) fn first_users(
    conn: &mut Connection,
    limit: usize,
    now: seatwarden_core::time::Millis,
) -> Result<FirstUsers, DirectoryError> {
    let tx = conn.transaction()?;
    let parts = apply::load_parts(&tx)?;
    let total: i64 = tx.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
    let mut users = {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT {} FROM users ORDER BY username_folded LIMIT ?1",
            apply::USER_COLUMNS
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map(params![limit], apply::user_row)?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    {
        // At most a page of users: one primary-key range each.
        let mut stmt = tx.prepare_cached(
            "SELECT group_name FROM memberships WHERE user_key = ?1 ORDER BY group_folded",
        )?;
        for user in &mut users {
            let groups = stmt.query_map(params![user.key], |r| r.get::<_, String>(0))?;
            user.groups = groups.collect::<Result<_, _>>()?;
            // As `users_page` gives them.
            user.groups.sort_unstable();
        }
    }
    tx.commit()?;
    Ok(FirstUsers {
        header: parts.into_header(now),
        total: u64::try_from(total).unwrap_or(0),
        users,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use crate::SqliteDirectory;

    /// The point of the read: SQLite walks the folded-username index and
    /// sorts nothing, whatever the directory's size.
    #[test]
    fn the_first_users_are_read_from_the_username_index_without_a_sort() {
        let dir = tempfile::tempdir().unwrap();
        let d = SqliteDirectory::open_in(dir.path()).unwrap();
        let conn = d.conn.lock();
        let plan: Vec<String> = conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN SELECT {} FROM users ORDER BY username_folded LIMIT 10",
                crate::apply::USER_COLUMNS
            ))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p.contains("INDEX"))
                && !plan.iter().any(|p| p.contains("TEMP B-TREE")),
            "{plan:?}"
        );
    }
}
