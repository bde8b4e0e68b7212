//! The Host port: the product's user directory, as the service sees it.
//!
//! Every host (the Jira and Confluence plugins over JNI, the standalone
//! server's embedded directory, the tests' in-memory directory) implements
//! [`Host`]. The read side hands out the directory in the snapshot format's
//! shapes, a page of users at a time; the write side applies one
//! [`Operation`] at a time and answers with success or a typed
//! [`OperationFailure`]. A failed operation never aborts a run: the service
//! records it and moves on.
//!
//! Why the snapshot shapes: they are already the documented wire format
//! between Java and Rust, so a JNI host can pass pages straight through
//! without a second schema.

use seatwarden_core::Millis;
use seatwarden_core::model::UserKey;
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_core::snapshot::{SnapshotFile, SnapshotHeader, SnapshotUser};

#[macro_use]
pub mod conformance;

pub mod memory;
pub mod rules;

/// What a host says about undoing a deletion ([`Host::deletion_undo`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeletionUndo {
    /// Still within the grace period: [`Operation::CancelDeletion`] brings
    /// the account back, restored and active.
    Cancellable,
    /// Gone for good; the text says why, plainly (no personal data).
    Final(String),
}

/// A page of users from [`Host::users_page`].
#[derive(Clone, Debug, PartialEq)]
pub struct UsersPage {
    /// The users, in the host's stable order.
    pub users: Vec<SnapshotUser>,
    /// The cursor for the next page, or `None` after the last page.
    pub next: Option<String>,
}

/// A page of users from [`Host::users_page_json`], still as JSON.
///
/// The bytes are one page of the snapshot format (`{"users":[…]}`, UTF-8),
/// which the index builder streams straight into its columns: no
/// [`SnapshotUser`] is ever built. They may sit after a prefix of the buffer
/// they arrived in (a JNI host's reply envelope), so the buffer is kept as
/// is rather than copied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawUsersPage {
    buffer: Vec<u8>,
    start: usize,
    /// The cursor for the next page, or `None` after the last page.
    pub next: Option<String>,
}

impl RawUsersPage {
    /// A page whose JSON is all of `json`.
    pub fn new(json: Vec<u8>, next: Option<String>) -> RawUsersPage {
        RawUsersPage {
            buffer: json,
            start: 0,
            next,
        }
    }

    /// A page whose JSON is `buffer[start..]` (a `start` past the end means
    /// an empty, hence invalid, page).
    pub fn after_prefix(buffer: Vec<u8>, start: usize, next: Option<String>) -> RawUsersPage {
        RawUsersPage {
            buffer,
            start,
            next,
        }
    }

    /// The page's JSON bytes.
    pub fn json(&self) -> &[u8] {
        self.buffer.get(self.start..).unwrap_or_default()
    }
}

/// The first users of a directory in username order, with what it takes to
/// show them as Users-tab rows ([`Host::first_users_by_username`]).
#[derive(Clone, Debug, PartialEq)]
pub struct FirstUsers {
    /// The directory's header, read in the same read as the users. Seat
    /// counts (`Licence::seats_used`) may be the stored ones rather than
    /// recounted: no row shows them, and recounting is most of the cost of
    /// [`Host::header`] at a million users.
    pub header: SnapshotHeader,
    /// How many users the directory holds in all.
    pub total: u64,
    /// At most the asked number of users, ordered as the index orders
    /// usernames: by lower-cased username (`str::to_lowercase`, compared
    /// bytewise), then key. Groups as [`Host::users_page`] gives them.
    pub users: Vec<SnapshotUser>,
}

/// What a successful operation reports back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// The key of the user the operation created, for [`Operation::CreateUser`].
    pub created_user: Option<UserKey>,
}

/// The host could not be read at all (as opposed to one operation failing).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    /// The product or its database did not answer.
    #[error("the host is unavailable: {0}")]
    Unavailable(String),
    /// The host answered with something the service cannot use.
    #[error("the host sent an invalid answer: {0}")]
    Invalid(String),
}

/// The directory a host acts on, as shown to an admin: "organization
/// org-a". Compared whole: two hosts with equal identities act on the same
/// accounts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HostIdentity(pub String);

impl std::fmt::Display for HostIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The product's user directory.
///
/// Implementations must be safe to call from several threads at once: login
/// hooks, admin requests and a running job share one host.
pub trait Host: Send + Sync {
    /// Which directory this host acts on, where one service can be moved
    /// from one to another (an Atlassian Cloud organization: a saved
    /// connection swaps the host, `service::swap`). `None`, the default:
    /// the host is the product itself and never changes under the service.
    /// Each run's identity is kept in the store as it is journaled
    /// (`service::swap`): a held or interrupted run is never applied to a
    /// host with another identity, also after a restart.
    fn identity(&self) -> Option<HostIdentity> {
        None
    }

    /// Everything about the directory except the users: directories, groups,
    /// licences, sysadmins and the instant the host read them.
    fn header(&self) -> Result<SnapshotHeader, HostError>;

    /// Up to `limit` users after `cursor` (from the start when `None`), in an
    /// order that is stable while the directory does not change.
    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError>;

    /// The same page as [`Host::users_page`], as the snapshot format's JSON,
    /// for hosts that already hold it as bytes (a JNI host: the page crossed
    /// the bridge as JSON anyway). `None`, the default, means "not offered":
    /// the service then reads [`Host::users_page`] for that page. A page
    /// offered here must hold the same users, and the same next cursor, as
    /// [`Host::users_page`] would answer.
    fn users_page_json(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Option<Result<RawUsersPage, HostError>> {
        let _ = (cursor, limit);
        None
    }

    /// The first `limit` users in username order, read straight from the
    /// directory, so that the Users tab's first pages can be answered while
    /// the index is still being built after a start (`service::early_page`).
    /// `None`, the default, means "not available": a host that cannot read
    /// its users in that order cheaply (the in-memory directory, the JNI
    /// host, Atlassian Cloud) leaves every request waiting for the index.
    fn first_users_by_username(&self, limit: usize) -> Option<Result<FirstUsers, HostError>> {
        let _ = limit;
        None
    }

    /// One user, read fresh; `None` if no user has that key.
    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, HostError>;

    /// One user by login name (case-insensitive), read fresh.
    fn user_by_username(&self, username: &str) -> Result<Option<SnapshotUser>, HostError>;

    /// Applies one write. Never panics on a refused write: it answers with
    /// the typed failure instead.
    fn apply(&self, operation: &Operation) -> Result<Applied, OperationFailure>;

    /// Whether the deletion of `user` can still be undone, asked by "revert
    /// run N" for each account the run deleted. The default, every Data
    /// Center host: no, a deletion is final. Atlassian Cloud keeps a deleted
    /// managed account for a grace period in which it can be cancelled
    /// ([`Operation::CancelDeletion`]).
    fn deletion_undo(&self, user: &UserKey) -> Result<DeletionUndo, HostError> {
        let _ = user;
        Ok(DeletionUndo::Final(
            "a deleted account cannot be restored".to_owned(),
        ))
    }

    /// Records a successful login of `username` at `at` (demo and test
    /// hosts: a product records its own logins). Returns the user's key, or
    /// `None` when no active user has that username. The default refuses.
    fn record_login(&self, username: &str, at: Millis) -> Result<Option<UserKey>, HostError> {
        let _ = (username, at);
        Err(HostError::Unavailable(
            "this host does not record logins through Seatwarden".to_owned(),
        ))
    }

    /// Replaces the whole directory with `snapshot` (the standalone
    /// server's embedded directory in preview-only mode, when the admin
    /// uploads their own users). The default, every real host: refused; a
    /// product's directory is never replaced by a file.
    fn replace_directory(&self, snapshot: &SnapshotFile) -> Result<(), HostError> {
        let _ = snapshot;
        Err(HostError::Unavailable(
            "this directory cannot be replaced by a file".to_owned(),
        ))
    }
}

/// The host answered a users page with the cursor it was asked with: read
/// on, the walk would never end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CursorStuck;

/// Moves a walk over the users' pages on to `next`, the cursor a page
/// answered: `Ok(true)` when there is a page after it, `Ok(false)` after the
/// last page. The one place that decides when a walk ends, for every reader
/// of pages (the service's ingest, [`read_snapshot`]).
pub(crate) fn advance(
    cursor: &mut Option<String>,
    next: Option<String>,
) -> Result<bool, CursorStuck> {
    match next {
        None => Ok(false),
        Some(next) if cursor.as_ref() == Some(&next) => Err(CursorStuck),
        Some(next) => {
            *cursor = Some(next);
            Ok(true)
        }
    }
}

/// Reads the whole directory from `host` as a snapshot file, `page_size`
/// users per page.
///
/// The service builds its index from the pages as they arrive; this helper
/// is for tools and tests that want the file form.
pub fn read_snapshot(host: &dyn Host, page_size: usize) -> Result<SnapshotFile, HostError> {
    let header = host.header()?;
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = host.users_page(cursor.as_deref(), page_size.max(1))?;
        pages.push(seatwarden_core::snapshot::SnapshotPage { users: page.users });
        let more = advance(&mut cursor, page.next).map_err(|CursorStuck| {
            HostError::Invalid("the users cursor did not advance".to_owned())
        })?;
        if !more {
            break;
        }
    }
    Ok(SnapshotFile {
        format: seatwarden_core::snapshot::FORMAT.to_owned(),
        version: seatwarden_core::snapshot::VERSION,
        header,
        pages,
    })
}
