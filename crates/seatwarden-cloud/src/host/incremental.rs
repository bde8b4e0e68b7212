//! Incremental refresh (issue 20): after the first full read, a refresh
//! re-reads only what can have changed, instead of the whole organization
//! (1 request per 100 users: 1,000 requests for 100k users, every 10
//! minutes).
//!
//! Why two sources: the v2 users search has no "changed since" filter or
//! change cursor, and the organization's audit log
//! (`GET /admin/v1/orgs/{orgId}/events`, `from`/`to` in epoch milliseconds,
//! pages by `meta.next`; jira.js `admin.getEvents`, `EventPage`) names the
//! accounts an admin changed (status, groups, removal) but carries no
//! last-active dates. So a refresh:
//!
//! 1. reads the audit log since the last read (less an overlap of
//!    [`EVENTS_OVERLAP_MS`] for events logged late; events already applied
//!    are skipped by id) and re-reads the accounts its events name, 100 per
//!    search by `accountIds`; an account the search no longer returns has
//!    left the directory;
//! 2. re-reads a rolling window of the organization's pages in search
//!    order, sized so that every user is re-read within
//!    [`WINDOW_DAY_MS`] (Atlassian's own last-active data lags up to 24
//!    hours, so a day-old date is as fresh as the API gives);
//! 3. re-reads the groups and Jira's application roles (a few requests),
//!    and settles the cache exactly as a full read does.
//!
//! Why a lost cursor means a full read: a refused cursor (`400`, an expired
//! audit-log or search cursor) leaves a gap nobody can name, so the only
//! read that is right is a whole one; [`Refreshed::Full`] says why. A 429
//! is waited out by the client (`Retry-After`) like every other call.
//! Events are subject to a lower rate limit (10 requests a minute per user
//! and per path from the end of May 2025, per jira.js `getEvents`'s
//! docs): one refresh reads one page of events per 100 events.

use std::collections::HashSet;

use seatwarden_core::Millis;

use super::{Cache, CloudHost, PAGE_SIZE, Progress, settle};
use crate::client::{Api, Call, Method, segment};
use crate::error::{CloudError, Permission};
use crate::mapping;
use crate::wire::{EXPAND_GROUPS, EXPAND_PRODUCT_ACCESS, EventPage, UserSearchRequest};

/// How far back each audit-log read starts before the previous read's
/// instant (5 minutes): events may be logged a little after the change.
pub const EVENTS_OVERLAP_MS: i64 = 5 * 60 * 1000;

/// The rolling window re-reads every user within this time (24 hours).
pub const WINDOW_DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// How a refresh went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refreshed {
    /// The whole organization was read; `reason` says why when an
    /// incremental refresh was due but gave up.
    Full {
        /// Why not incremental.
        reason: Option<String>,
    },
    /// Only changes were read.
    Incremental {
        /// Events read from the audit log (new ones).
        events: usize,
        /// Accounts the events named, re-read.
        named: usize,
        /// Users the rolling window re-read.
        window: usize,
        /// Accounts gone from the directory.
        removed: usize,
    },
}

/// What an incremental read found, before it is applied.
struct Changes {
    users: Vec<crate::wire::CloudUser>,
    removed: Vec<String>,
    seen: HashSet<String>,
    events: usize,
    named: usize,
    window_users: usize,
    window: Option<String>,
}

impl CloudHost {
    /// The refresh due when the cache is stale: incremental when enabled
    /// and a full read was made, else (or when it gives up) a full one.
    pub(super) fn refresh_due(&self) -> Result<usize, CloudError> {
        if !self.incremental || !self.cache.read().loaded {
            return self.refresh();
        }
        match self.refresh_incremental() {
            Ok(n) => Ok(n),
            Err(Fallback::Full(reason)) => {
                *self.full_reason.lock() = Some(reason);
                self.refresh()
            }
            Err(Fallback::Failed(e)) => Err(e),
        }
    }

    /// Re-reads what changed since the last read (see the module docs).
    pub fn refresh_incremental(&self) -> Result<usize, Fallback> {
        let now = (self.clock)();
        let (from, seen_before, window, total) = {
            let cache = self.cache.read();
            (
                cache.events_from,
                cache.seen_events.clone(),
                cache.window.clone(),
                cache.users.len(),
            )
        };
        let changes = self.read_changes(from, now, &seen_before, window, total)?;
        // Groups and licences: a few requests, read whole.
        let mut groups = Cache::default();
        self.read_groups(&mut groups).map_err(Fallback::from)?;
        let licences = self.licences().map_err(Fallback::from)?;

        let mut cache = self.cache.write();
        let Changes {
            users,
            removed,
            seen,
            events,
            named,
            window_users,
            window,
        } = changes;
        for user in &users {
            let (snapshot, facts) = mapping::map_user(user);
            cache.put(snapshot, facts);
        }
        let removed_count = drop_users(&mut cache, &removed);
        cache.groups = groups.groups;
        cache.licences = licences;
        settle(&mut cache);
        cache.loaded = true;
        cache.taken_at = now;
        cache.events_from = Millis(now.0.saturating_sub(EVENTS_OVERLAP_MS));
        cache.seen_events = seen;
        cache.window = window;
        let count = cache.users.len();
        drop(cache);
        (self.on_refresh)(Refreshed::Incremental {
            events,
            named,
            window: window_users,
            removed: removed_count,
        });
        Ok(count)
    }

    fn read_changes(
        &self,
        from: Millis,
        now: Millis,
        seen_before: &HashSet<String>,
        mut window: Option<String>,
        total: usize,
    ) -> Result<Changes, Fallback> {
        // 1. The audit log since the last read.
        let mut named: Vec<String> = Vec::new();
        let mut seen = HashSet::new();
        let mut events = 0;
        let mut cursor: Option<String> = None;
        loop {
            let mut path = format!(
                "/admin/v1/orgs/{}/events?from={}&to={}",
                segment(&self.client.config().org_id),
                from.0,
                now.0
            );
            if let Some(c) = &cursor {
                path.push_str("&cursor=");
                path.push_str(&segment(c));
            }
            let page: EventPage = self
                .client
                .json(&Call::new(
                    Method::Get,
                    Api::Admin,
                    path,
                    "read the organization's audit log",
                    Permission::ReadOrg,
                ))
                .map_err(|e| lost(e, "the audit log's page cursor"))?;
            for event in page.data {
                seen.insert(event.id.clone());
                if seen_before.contains(&event.id) {
                    continue;
                }
                events += 1;
                named.extend(event.attributes.context.into_iter().map(|o| o.id));
            }
            match page.meta.next {
                Some(next) if !next.is_empty() && Some(&next) != cursor.as_ref() => {
                    cursor = Some(next);
                }
                _ => break,
            }
        }
        named.sort();
        named.dedup();

        // 2. The named accounts, 100 per search.
        let mut users = Vec::new();
        let mut removed = Vec::new();
        let mut pages = 0;
        for batch in named.chunks(PAGE_SIZE as usize) {
            let page = self
                .search(&UserSearchRequest {
                    account_ids: batch.to_vec(),
                    limit: Some(PAGE_SIZE),
                    expand: vec![EXPAND_PRODUCT_ACCESS.to_owned(), EXPAND_GROUPS.to_owned()],
                    ..UserSearchRequest::default()
                })
                .map_err(Fallback::from)?;
            pages += 1;
            let found: HashSet<&str> = page.data.iter().map(|u| u.account_id.as_str()).collect();
            // Ids that are not (or no longer) accounts of the directory: an
            // account the cache holds has left; anything else (a group id)
            // is ignored by `drop_users`.
            removed.extend(
                batch
                    .iter()
                    .filter(|id| !found.contains(id.as_str()))
                    .cloned(),
            );
            users.extend(page.data);
            (self.progress)(Progress {
                users: users.len(),
                pages,
            });
        }
        let named_count = named.len();

        // 3. The rolling window of last-active dates.
        let window_pages = self.window_pages(total);
        let mut window_users = 0;
        for _ in 0..window_pages {
            let page = self
                .search(&UserSearchRequest {
                    cursor: window.clone(),
                    limit: Some(PAGE_SIZE),
                    expand: vec![EXPAND_PRODUCT_ACCESS.to_owned(), EXPAND_GROUPS.to_owned()],
                    ..UserSearchRequest::default()
                })
                .map_err(|e| lost(e, "the rolling window's page cursor"))?;
            pages += 1;
            window_users += page.data.len();
            users.extend(page.data);
            (self.progress)(Progress {
                users: users.len(),
                pages,
            });
            window = page.links.next.filter(|n| !n.is_empty());
            if window.is_none() {
                // The end of the organization: the next window starts over.
                break;
            }
        }
        Ok(Changes {
            users,
            removed,
            seen,
            events,
            named: named_count,
            window_users,
            window,
        })
    }

    /// Pages per refresh so that every user is re-read within a day at one
    /// refresh per max age: `ceil(pages × max_age / 24 h)`, at least one.
    fn window_pages(&self, users: usize) -> usize {
        let pages = users.div_ceil(PAGE_SIZE as usize).max(1) as i128;
        let per_day = i128::from(self.max_age.max(1));
        let day = i128::from(WINDOW_DAY_MS);
        let n = (pages * per_day + day - 1) / day;
        usize::try_from(n.max(1)).unwrap_or(usize::MAX)
    }
}

/// Why an incremental refresh did not finish.
#[derive(Debug)]
pub enum Fallback {
    /// A full read is the only right one now (the reason is shown).
    Full(String),
    /// The read failed as any read can (credentials, outage).
    Failed(CloudError),
}

impl From<CloudError> for Fallback {
    fn from(e: CloudError) -> Fallback {
        Fallback::Failed(e)
    }
}

/// A refused cursor (400) means `what` was lost: a full read follows.
fn lost(e: CloudError, what: &str) -> Fallback {
    match e {
        CloudError::Rejected { status: 400, .. } => Fallback::Full(format!(
            "{what} was refused ({e}); the whole organization was read again"
        )),
        other => Fallback::Failed(other),
    }
}

/// Removes the cached users among `ids`; how many there were.
fn drop_users(cache: &mut Cache, ids: &[String]) -> usize {
    let gone: HashSet<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| cache.by_key.contains_key(*id))
        .collect();
    if gone.is_empty() {
        return 0;
    }
    let users = std::mem::take(&mut cache.users);
    let facts = std::mem::take(&mut cache.facts);
    cache.by_key.clear();
    cache.by_username.clear();
    for (u, f) in users.into_iter().zip(facts) {
        if !gone.contains(u.key.as_str()) {
            cache.put(u, f);
        }
    }
    gone.len()
}
