//! Licence seat counts in one ordered pass, without a seek per membership.
//!
//! A licence's seats are its distinct active holders: active users with a
//! membership in any of its groups. Asked in SQL (a join of the group's
//! memberships to `users`, then `COUNT(DISTINCT …)`), SQLite looks every
//! membership's user up by its string key and sorts the keys into a
//! temporary B-tree to count them: about 90 ms per licence at 200k users and
//! several seconds at 1M, most of the header every index build (and so every
//! restart) reads first (issue 19; the profile showed
//! `sqlite3BtreeIndexMoveto` with string compares).
//!
//! Both inputs already exist in user-key order: each group's members in the
//! covering index `memberships_by_group (group_folded, user_key)`, the
//! active users in the `users` table's primary key. So every group of every
//! licence is read as one sorted stream, the active users as another, and
//! the streams are merged here: each row is read once, nothing is sorted or
//! looked up, and a user in two groups of one licence still counts once.
//! Keys compare as bytes, which is SQLite's `BINARY` order, the order both
//! inputs are stored in. Test `seats_agree_with_the_sql_join_on_random_directories`
//! (`tests/behaviour.rs`) checks the counts against the join.

use rusqlite::types::ValueRef;
use rusqlite::{Rows, Transaction, params};
use seatwarden_core::model::{GroupName, Licence};

use crate::DirectoryError;

/// One sorted stream of user keys, with its current key kept in a reused
/// buffer (no allocation per row).
struct Keys<'s> {
    rows: Rows<'s>,
    key: Vec<u8>,
    live: bool,
}

impl<'s> Keys<'s> {
    fn new(rows: Rows<'s>) -> Result<Keys<'s>, DirectoryError> {
        let mut keys = Keys {
            rows,
            key: Vec::new(),
            live: true,
        };
        keys.advance()?;
        Ok(keys)
    }

    fn advance(&mut self) -> Result<(), DirectoryError> {
        match self.rows.next()? {
            Some(row) => match row.get_ref(0)? {
                ValueRef::Text(key) => {
                    self.key.clear();
                    self.key.extend_from_slice(key);
                }
                _ => {
                    return Err(DirectoryError::Corrupt {
                        field: "user_key",
                        message: "a user key is not text".to_owned(),
                    });
                }
            },
            None => self.live = false,
        }
        Ok(())
    }

    /// The current key, while the stream lasts.
    fn current(&self) -> Option<&[u8]> {
        self.live.then_some(self.key.as_slice())
    }
}

/// The seats each of `licences` uses, in their order.
pub(crate) fn seats_used(
    tx: &Transaction<'_>,
    licences: &[Licence],
) -> Result<Vec<u32>, DirectoryError> {
    let mut counts = vec![0u32; licences.len()];
    let mut groups: Vec<String> = licences
        .iter()
        .flat_map(|l| l.groups.iter().map(GroupName::folded))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    // For each licence, the positions of its groups in `groups`.
    let counted_by: Vec<Vec<usize>> = licences
        .iter()
        .map(|l| {
            l.groups
                .iter()
                .filter_map(|g| groups.binary_search(&g.folded()).ok())
                .collect()
        })
        .collect();
    if groups.is_empty() {
        return Ok(counts);
    }
    let mut member_statements = groups
        .iter()
        .map(|_| {
            tx.prepare_cached(
                "SELECT user_key FROM memberships WHERE group_folded = ?1 ORDER BY user_key",
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut members = Vec::with_capacity(groups.len());
    for (statement, group) in member_statements.iter_mut().zip(&groups) {
        members.push(Keys::new(statement.query(params![group])?)?);
    }
    let mut active_statement =
        tx.prepare_cached("SELECT key FROM users WHERE active = 1 ORDER BY key")?;
    let mut active = Keys::new(active_statement.query([])?)?;
    let mut user: Vec<u8> = Vec::new();
    let mut held = vec![false; groups.len()];
    // The smallest key any group still holds is the next candidate.
    while let Some(next) = members.iter().filter_map(Keys::current).min() {
        user.clear();
        user.extend_from_slice(next);
        while active.current().is_some_and(|k| k < user.as_slice()) {
            active.advance()?;
        }
        let Some(first_active) = active.current() else {
            // No active user is left to hold a seat.
            break;
        };
        let is_active = first_active == user.as_slice();
        for (stream, holds) in members.iter_mut().zip(held.iter_mut()) {
            *holds = stream.current() == Some(user.as_slice());
            if *holds {
                // A group lists each member once (the primary key).
                stream.advance()?;
            }
        }
        if is_active {
            for (count, positions) in counts.iter_mut().zip(&counted_by) {
                if positions
                    .iter()
                    .any(|&g| held.get(g).copied().unwrap_or(false))
                {
                    *count = count.saturating_add(1);
                }
            }
        }
    }
    Ok(counts)
}
