//! The second half of a page, read on its own thread into its own columns
//! and appended after the first half (see `snapshot::halves`).
//!
//! Why a separate value rather than a second builder: the half borrows
//! nothing from the builder (the calling thread is appending the first half
//! to it meanwhile), and its group sets cannot take ids yet, because the
//! first half may still name a set for the first time. So a half keeps each
//! distinct `groups` text it saw, in the order it first saw them, and
//! [`IndexBuilder::append_half`] resolves those texts to set ids on the
//! calling thread, in that order: a new set gets the id the one-thread read
//! would have given it, as the first user naming it comes after every user
//! of the first half and after the first users of the texts before it.

use std::collections::HashMap;
use std::ops::Range;

use super::{IndexBuilder, MAX_GROUPS_TEXTS, Rules, UserFields};
use crate::index::strings::{StringColumn, WordBuild};
use crate::index::{NEVER, UNKNOWN_COUNT};
use crate::snapshot::{Position, SnapshotError};
use crate::time::Millis;

/// Users read by the second thread, checked but not yet in the builder.
#[derive(Debug)]
pub(crate) struct Half<'a> {
    taken_at: Millis,
    /// The builder's `directory_ord`, copied: the builder is busy.
    directory_ord: Vec<(i64, u16)>,
    keys: StringColumn,
    usernames: StringColumn,
    display_names: StringColumn,
    emails: StringColumn,
    directory_of: Vec<u16>,
    active: Vec<bool>,
    created: Vec<i64>,
    last_login: Vec<i64>,
    login_count: Vec<u32>,
    /// `(user in this half, instant)`.
    deactivated_at: Vec<(u32, i64)>,
    /// Users of this half.
    suspended: Vec<u32>,
    activity: Vec<Vec<i64>>,
    /// Per user: the local id of their `groups` text.
    text_of: Vec<u32>,
    text_ids: HashMap<&'a str, u32, WordBuild>,
    /// Each distinct text, in the order first seen, with its names in `names`.
    texts: Vec<(&'a str, Range<usize>)>,
    names: Vec<&'a str>,
}

impl<'a> Half<'a> {
    /// Users checked one at a time reject a page here; where does not
    /// matter: a page with any error is read again on one thread, which
    /// says where.
    const NOWHERE: Position = Position { page: 0, index: 0 };

    /// Checks one user as [`IndexBuilder::push_user_json`] does and keeps it.
    pub(crate) fn push(
        &mut self,
        u: &UserFields<'_>,
        groups: &[&'a str],
        groups_json: &'a str,
    ) -> Result<(), SnapshotError> {
        let rules = Rules {
            taken_at: self.taken_at,
            directory_ord: &self.directory_ord,
            signals: self.activity.len(),
        };
        let dir = rules.check_user(u, Self::NOWHERE)?;
        let text = match self.text_ids.get(groups_json) {
            Some(&t) => t,
            None => {
                let t = u32::try_from(self.texts.len()).map_err(|_| SnapshotError::TooLarge {
                    what: "page too long",
                })?;
                let start = self.names.len();
                self.names.extend_from_slice(groups);
                self.texts.push((groups_json, start..self.names.len()));
                self.text_ids.insert(groups_json, t);
                t
            }
        };
        let idx = u32::try_from(self.keys.len()).map_err(|_| SnapshotError::TooLarge {
            what: "page too long",
        })?;
        let too_much_text = |_| SnapshotError::TooLarge {
            what: "more than 4 GiB of text in one column",
        };
        self.keys.push(u.key).map_err(too_much_text)?;
        self.usernames.push(u.username).map_err(too_much_text)?;
        self.display_names
            .push(u.display_name)
            .map_err(too_much_text)?;
        self.emails.push(u.email).map_err(too_much_text)?;
        self.directory_of.push(dir);
        self.active.push(u.active);
        self.created.push(u.created);
        self.last_login.push(u.last_login.unwrap_or(NEVER));
        let values = u.activity.as_slice();
        for (i, c) in self.activity.iter_mut().enumerate() {
            c.push(values.get(i).copied().flatten().unwrap_or(NEVER));
        }
        self.login_count
            .push(u.login_count.unwrap_or(UNKNOWN_COUNT));
        if let Some(t) = u.deactivated_at {
            self.deactivated_at.push((idx, t));
        }
        if u.suspended && !u.active {
            self.suspended.push(idx);
        }
        self.text_of.push(text);
        Ok(())
    }
}

impl IndexBuilder {
    /// An empty half with this builder's rules, for a second thread.
    pub(crate) fn half<'a>(&self) -> Half<'a> {
        Half {
            taken_at: self.taken_at,
            directory_ord: self.directory_ord.clone(),
            keys: StringColumn::default(),
            usernames: StringColumn::default(),
            display_names: StringColumn::default(),
            emails: StringColumn::default(),
            directory_of: Vec::new(),
            active: Vec::new(),
            created: Vec::new(),
            last_login: Vec::new(),
            login_count: Vec::new(),
            deactivated_at: Vec::new(),
            suspended: Vec::new(),
            activity: vec![Vec::new(); self.signals.len()],
            text_of: Vec::new(),
            text_ids: HashMap::default(),
            texts: Vec::new(),
            names: Vec::new(),
        }
    }

    /// Appends `half` to the current page, after the users already in it,
    /// resolving its `groups` texts to set ids as the one-thread read
    /// would have (see the module's note). On error the caller rolls the
    /// page back.
    pub(crate) fn append_half(&mut self, half: Half<'_>) -> Result<(), SnapshotError> {
        let too_many_users = || SnapshotError::TooLarge {
            what: "more than 4294967295 users",
        };
        let base = u32::try_from(self.keys.len()).map_err(|_| too_many_users())?;
        // The last user's index must fit, as `append` checks per user.
        let count = u32::try_from(half.keys.len()).map_err(|_| too_many_users())?;
        if count > 0 && base.checked_add(count - 1).is_none() {
            return Err(too_many_users());
        }
        let mut set_of = Vec::with_capacity(half.texts.len());
        for (text, names) in &half.texts {
            let set = match self.set_by_text.get(*text) {
                Some(&set) => set,
                None => {
                    let names = half.names.get(names.clone()).unwrap_or_default();
                    let set = self.resolve_set("", Half::NOWHERE, names.iter().copied())?;
                    if self.set_by_text.len() < MAX_GROUPS_TEXTS {
                        self.set_by_text.insert((*text).into(), set);
                    }
                    set
                }
            };
            set_of.push(set);
        }
        let too_much_text = |_| SnapshotError::TooLarge {
            what: "more than 4 GiB of text in one column",
        };
        self.keys.extend(&half.keys).map_err(too_much_text)?;
        self.usernames
            .extend(&half.usernames)
            .map_err(too_much_text)?;
        self.display_names
            .extend(&half.display_names)
            .map_err(too_much_text)?;
        self.emails.extend(&half.emails).map_err(too_much_text)?;
        self.directory_of.extend_from_slice(&half.directory_of);
        self.active.extend_from_slice(&half.active);
        self.created.extend_from_slice(&half.created);
        self.last_login.extend_from_slice(&half.last_login);
        self.login_count.extend_from_slice(&half.login_count);
        for (c, h) in self.activity.iter_mut().zip(&half.activity) {
            c.extend_from_slice(h);
        }
        for &(i, t) in &half.deactivated_at {
            self.deactivated_at.push(base + i, t);
        }
        self.suspended
            .extend(half.suspended.iter().map(|&i| base + i));
        self.member_set.reserve(half.text_of.len());
        for &t in &half.text_of {
            // Every local id names one of `texts`, so one of `set_of`.
            let set = set_of
                .get(t as usize)
                .copied()
                .ok_or(SnapshotError::TooLarge {
                    what: "too many memberships",
                })?;
            self.member_set.push(set);
        }
        Ok(())
    }
}
