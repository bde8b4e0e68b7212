//! The Users tab's first pages while the index is being built (issue 19).
//!
//! After a start the service reads every user into its index before it can
//! answer a query: seconds at a million users. The page an admin sees first
//! is the default view (username order, no filter), and its first rows are
//! cheap to read from a directory that keeps usernames in that order
//! ([`Host::first_users_by_username`]). So, while a build announced with
//! [`Service::build_index_in_background`] has not finished, that view's
//! first [`EARLY_USERS`] users are answered from the host, marked
//! `indexing: true`; every other request waits for the index as before.
//!
//! The rows are made by the index's own code: the users read are put into
//! a small index of their own (the same header, so the same directories,
//! groups, licences and signals), the same query runs over it, and only the
//! counts are replaced by the directory's. Each row depends on its own user
//! alone, and the first `n` users of the username order are the first `n`
//! rows of any query that neither filters nor reorders, so the page is the
//! one the ready index gives (`tests/early_page.rs` in the SQLite directory
//! compares both on random directories).
//!
//! Why not always answer the default view from the host: the index is the
//! one source of truth for every other view, and a page that disagreed with
//! the next page of the same table would be worse than a short wait.

use std::sync::Arc;

use seatwarden_core::index::{DirectoryIndex, IndexBuilder};
use seatwarden_core::query::{PAGE_SIZES, Query};
use seatwarden_core::snapshot::SnapshotPage;

use super::Service;
use crate::host::FirstUsers;

/// Users the early answer reads at most: `page × pageSize` must not exceed
/// it (ten pages of the default 100 rows).
pub const EARLY_USERS: usize = 1_000;

/// The first users of the directory as an index of their own, and how many
/// users the whole directory holds.
pub(crate) struct EarlyPage {
    /// The first users in username order (all of them, in a small directory).
    pub(crate) index: DirectoryIndex,
    /// Users in the directory.
    pub(crate) total: u64,
}

/// A build of the index announced before the host runs it
/// ([`Service::build_index_in_background`]). Until it ends, the default
/// Users pages may be answered from the host. Dropped without being run, it
/// withdraws the announcement.
#[must_use = "run it on a thread of the host's"]
pub struct IndexBuild {
    service: Arc<Service>,
}

impl IndexBuild {
    /// Builds the index (or waits for a build already under way), then
    /// ends the announcement. Meant for a thread of the host's own.
    pub fn run(self) -> Result<(), super::ServiceError> {
        self.service.ensure_index()
    }
}

impl Drop for IndexBuild {
    fn drop(&mut self) {
        self.service.index.write().announced = false;
    }
}

impl Service {
    /// Announces that the host is about to build the index in the
    /// background, and hands it the build to run on a thread of its own
    /// (the service starts no threads). Call it before the server takes
    /// requests: from then until the build ends, the Users tab's default
    /// first pages are answered from the host where it can
    /// ([`Host::first_users_by_username`]), marked `indexing: true`, instead
    /// of waiting for the whole directory to be read.
    pub fn build_index_in_background(self: &Arc<Self>) -> IndexBuild {
        self.index.write().announced = true;
        IndexBuild {
            service: self.clone(),
        }
    }

    /// Whether an announced build is under way and no index exists yet.
    pub fn indexing(&self) -> bool {
        let slot = self.index.read();
        slot.announced && slot.index.is_none()
    }

    /// The first users for `query` read from the host, while an announced
    /// build has not produced an index; `None` when the query is not the
    /// default view's early pages, no build is announced, the index exists
    /// already, or the host cannot answer (the caller then waits for the
    /// index, which reports any error the host has).
    pub(crate) fn users_page_while_indexing(&self, query: &Query) -> Option<EarlyPage> {
        let wanted = early_users(query)?;
        if !self.indexing() {
            return None;
        }
        let first = self.host().first_users_by_username(wanted)?.ok()?;
        let total = first.total;
        let index = small_index(first)?;
        Some(EarlyPage { index, total })
    }
}

/// How many users `query` needs from the start of the username order, when
/// it is the default view (any page size, no filter, search, other sort or
/// selection) and its page lies within [`EARLY_USERS`].
fn early_users(query: &Query) -> Option<usize> {
    let default = Query {
        page: query.page,
        page_size: query.page_size,
        ..Query::default()
    };
    // An invalid page goes the usual way, to the usual error.
    if *query != default || query.page == 0 || !PAGE_SIZES.contains(&query.page_size) {
        return None;
    }
    let wanted = usize::try_from(u64::from(query.page) * u64::from(query.page_size)).ok()?;
    (wanted <= EARLY_USERS).then_some(wanted)
}

/// The users read as an index of their own. Sysadmins outside them are
/// left out of its header (the builder requires each to be a user; no row
/// shows who is one). `None` when the users do not make an index (an
/// invalid directory: the full build will say why).
fn small_index(first: FirstUsers) -> Option<DirectoryIndex> {
    let FirstUsers {
        mut header, users, ..
    } = first;
    header
        .sysadmins
        .retain(|k| users.iter().any(|u| u.key == k.as_str()));
    let mut builder = IndexBuilder::new(header).ok()?;
    builder.add_page(&SnapshotPage { users }).ok()?;
    builder.finish().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use seatwarden_core::query::{SortField, StatusFilter};

    #[test]
    fn only_the_default_view_within_the_first_users_is_answered_early() {
        let page = |page, page_size| Query {
            page,
            page_size,
            ..Query::default()
        };
        assert_eq!(early_users(&Query::default()), Some(20));
        assert_eq!(early_users(&page(0, 20)), None);
        assert_eq!(early_users(&page(1, 30)), None);
        assert_eq!(early_users(&page(10, 100)), Some(1_000));
        assert_eq!(early_users(&page(11, 100)), None);
        assert_eq!(early_users(&page(3, 20)), Some(60));
        let sorted = Query {
            sort: SortField::Created,
            ..Query::default()
        };
        assert_eq!(early_users(&sorted), None);
        let filtered = Query {
            status: StatusFilter::Active,
            ..Query::default()
        };
        assert_eq!(early_users(&filtered), None);
    }
}
