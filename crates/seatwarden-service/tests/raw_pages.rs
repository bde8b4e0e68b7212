//! The index read from a host's raw JSON pages (`Host::users_page_json`, what
//! the JNI host offers) must be the index read from its decoded pages, and a
//! bad raw page must fail the build as precisely, with nothing applied.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::*;
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::model::UserKey;
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_core::snapshot::{SnapshotHeader, SnapshotPage, SnapshotUser};
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::host::{Applied, Host, HostError, RawUsersPage, UsersPage};
use seatwarden_service::store::{MemoryStore, Store};
use seatwarden_service::{Service, ServiceError, ServiceOptions};

/// Rewrites a page's JSON.
type Corrupt = fn(Vec<u8>) -> Vec<u8>;

/// A memory directory that also offers its pages as JSON (when `raw`),
/// optionally corrupting one page's JSON.
struct RawHost {
    inner: MemoryDirectory,
    raw: bool,
    /// Corrupts the `n`th raw page served (counting every page ever served).
    corrupt_page: Mutex<Option<(usize, Corrupt)>>,
    /// Answers the `n`th raw page asked for (counting every page ever
    /// asked for) with "unavailable".
    down_at_page: Mutex<Option<usize>>,
    raw_calls: AtomicUsize,
    decoded_calls: AtomicUsize,
    /// Every page after the first answers the cursor it was asked with as
    /// its next cursor (a host whose cursor does not move).
    stuck: AtomicBool,
}

impl RawHost {
    fn new(raw: bool) -> RawHost {
        RawHost {
            inner: MemoryDirectory::new(snapshot(23, 9, 4)),
            raw,
            corrupt_page: Mutex::new(None),
            down_at_page: Mutex::new(None),
            raw_calls: AtomicUsize::new(0),
            decoded_calls: AtomicUsize::new(0),
            stuck: AtomicBool::new(false),
        }
    }

    /// The cursor a page answered with, or the one it was asked with when
    /// the host is stuck.
    fn next(&self, asked: Option<&str>, answered: Option<String>) -> Option<String> {
        match asked {
            Some(asked) if self.stuck.load(Ordering::SeqCst) => Some(asked.to_owned()),
            _ => answered,
        }
    }
}

impl Host for RawHost {
    fn header(&self) -> Result<SnapshotHeader, HostError> {
        self.inner.header()
    }

    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError> {
        self.decoded_calls.fetch_add(1, Ordering::SeqCst);
        let page = self.inner.users_page(cursor, limit)?;
        Ok(UsersPage {
            next: self.next(cursor, page.next),
            users: page.users,
        })
    }

    fn users_page_json(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Option<Result<RawUsersPage, HostError>> {
        if !self.raw {
            return None;
        }
        let n = self.raw_calls.fetch_add(1, Ordering::SeqCst);
        if *self.down_at_page.lock().unwrap() == Some(n) {
            return Some(Err(HostError::Unavailable(format!("page {n}"))));
        }
        let page = match self.inner.users_page(cursor, limit) {
            Ok(p) => p,
            Err(e) => return Some(Err(e)),
        };
        let mut json = serde_json::to_vec(&SnapshotPage { users: page.users }).unwrap();
        if let Some((at, corrupt)) = *self.corrupt_page.lock().unwrap()
            && at == n
        {
            json = corrupt(json);
        }
        // Behind a prefix, as the JNI host's reply envelope leaves it.
        let mut buffer = b"{\"ok\":true}\n".to_vec();
        let start = buffer.len();
        buffer.extend_from_slice(&json);
        let next = self.next(cursor, page.next);
        Some(Ok(RawUsersPage::after_prefix(buffer, start, next)))
    }

    fn user(&self, key: &UserKey) -> Result<Option<SnapshotUser>, HostError> {
        self.inner.user(key)
    }

    fn user_by_username(&self, username: &str) -> Result<Option<SnapshotUser>, HostError> {
        self.inner.user_by_username(username)
    }

    fn apply(&self, operation: &Operation) -> Result<Applied, OperationFailure> {
        self.inner.apply(operation)
    }
}

/// Everything the index answers about its users, groups and licences.
fn contents(index: &DirectoryIndex) -> String {
    let users: Vec<_> = index
        .users()
        .map(|u| format!("{:?}", u.to_user()))
        .collect();
    format!(
        "{} {:?} {users:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
        index.user_count(),
        index.taken_at(),
        index.directories(),
        index.groups(),
        index.licences(),
        index.active_bitmap(),
        index.licensed_bitmap(),
        index.sysadmins_bitmap(),
        index.never_logged_in_bitmap(),
    )
}

fn five_a_page(node: &str) -> ServiceOptions {
    ServiceOptions {
        page_size: 5,
        ..options(node, 50)
    }
}

/// A service reading `host` 5 users a page.
fn service(host: Arc<RawHost>) -> Service {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    Service::new(host, store, five_a_page("node-raw")).unwrap()
}

#[test]
fn raw_pages_build_the_same_index_as_decoded_pages() {
    let raw_host = Arc::new(RawHost::new(true));
    let decoded_host = Arc::new(RawHost::new(false));
    let raw = service(raw_host.clone());
    let decoded = service(decoded_host.clone());
    raw.rebuild_index().unwrap();
    decoded.rebuild_index().unwrap();
    let from_raw = raw.with_index(contents).unwrap();
    let from_decoded = decoded.with_index(contents).unwrap();
    assert!(from_raw.starts_with("37 "), "{from_raw}");
    assert_eq!(from_raw, from_decoded);
    // 37 users, 5 a page: 8 pages, all raw on one side, all decoded on the other.
    assert_eq!(raw_host.raw_calls.load(Ordering::SeqCst), 8);
    assert_eq!(raw_host.decoded_calls.load(Ordering::SeqCst), 0);
    assert_eq!(decoded_host.raw_calls.load(Ordering::SeqCst), 0);
    assert_eq!(decoded_host.decoded_calls.load(Ordering::SeqCst), 8);
}

/// Rebuilds over a host whose page 2 is corrupted by `corrupt`; the error.
fn failed_build(corrupt: Corrupt) -> (String, Service) {
    let host = RawHost::new(true);
    *host.corrupt_page.lock().unwrap() = Some((2, corrupt));
    let svc = service(Arc::new(host));
    let err = svc.rebuild_index().unwrap_err();
    let ServiceError::Snapshot(message) = err else {
        panic!("not a snapshot error: {err:?}");
    };
    (message.to_string(), svc)
}

#[test]
fn a_bad_raw_page_fails_the_build_precisely_and_builds_nothing() {
    // A user of page 2 in an unknown directory: the same error, at the same
    // position, as the decoded page gives.
    let (message, svc) = failed_build(|json| {
        String::from_utf8(json)
            .unwrap()
            .replacen("\"directoryId\":1", "\"directoryId\":77", 2)
            .into_bytes()
    });
    assert!(
        svc.current_index(|_| ()).is_none(),
        "no index after a failure"
    );
    let mut snap = snapshot(23, 9, 4);
    let mut users = snap.pages.remove(0).users;
    users.sort_by(|a, b| a.key.cmp(&b.key));
    users[10].directory_id = 77; // page 2 (5 a page), index 0
    snap.pages = vec![SnapshotPage { users }];
    let decoded = Service::new(
        Arc::new(MemoryDirectory::new(snap)),
        Arc::new(MemoryStore::new()),
        five_a_page("node-dec"),
    )
    .unwrap();
    let ServiceError::Snapshot(expected) = decoded.rebuild_index().unwrap_err() else {
        panic!("not a snapshot error");
    };
    assert_eq!(message, expected.to_string());
    assert!(message.contains("77"), "{message}");

    // Broken JSON: a syntax error with its place, and still no index.
    let (message, svc) = failed_build(|mut json| {
        json.truncate(json.len() / 2);
        json
    });
    assert!(message.contains("line 1"), "{message}");
    assert!(svc.current_index(|_| ()).is_none());

    // A stray field is refused as the decoded page refuses it.
    let (message, _) = failed_build(|mut json| {
        json.pop();
        json.extend_from_slice(b",\"extra\":1}");
        json
    });
    assert!(message.contains("extra"), "{message}");
}

#[test]
fn a_failed_raw_rebuild_keeps_the_previous_index() {
    let host = Arc::new(RawHost::new(true));
    let svc = service(host.clone());
    svc.rebuild_index().unwrap();
    let before = svc.current_index(contents).unwrap();
    // The next build's second page (pages 0..8 were served already).
    *host.corrupt_page.lock().unwrap() = Some((9, |_| b"{\"users\":[{]}".to_vec()));
    assert!(matches!(
        svc.rebuild_index(),
        Err(ServiceError::Snapshot(_))
    ));
    assert_eq!(svc.current_index(contents).unwrap(), before);
    // The host recovers: the next rebuild goes through.
    *host.corrupt_page.lock().unwrap() = None;
    svc.rebuild_index().unwrap();
    assert_eq!(svc.current_index(contents).unwrap(), before);
}

/// The pages are parsed on a builder thread while the next is fetched
/// (`service/ingest.rs`): what fails first in page order is the answer, as
/// when one page was read and added at a time.
#[test]
fn the_first_failure_in_page_order_is_the_answer() {
    // The host fails at page 4: its error, and no index.
    let host = RawHost::new(true);
    *host.down_at_page.lock().unwrap() = Some(4);
    let svc = service(Arc::new(host));
    let err = svc.rebuild_index().unwrap_err();
    assert!(
        matches!(&err, ServiceError::Host(HostError::Unavailable(m)) if m == "page 4"),
        "{err:?}"
    );
    assert!(svc.current_index(|_| ()).is_none());

    // Page 2 is bad and the host fails right after it: page 2's error,
    // whichever of the two threads saw its failure first.
    for down_at in [3, 4] {
        let host = RawHost::new(true);
        *host.corrupt_page.lock().unwrap() = Some((2, |_| b"{\"users\":[{]}".to_vec()));
        *host.down_at_page.lock().unwrap() = Some(down_at);
        let svc = service(Arc::new(host));
        let err = svc.rebuild_index().unwrap_err();
        assert!(matches!(err, ServiceError::Snapshot(_)), "{err:?}");
        assert!(svc.current_index(|_| ()).is_none());
    }
}

/// A host that answers a page with the cursor it was asked with would keep
/// a reader of pages asking for ever: the ingest (raw pages or decoded) and
/// `read_snapshot` stop with a precise error, and no index is built.
#[test]
fn a_cursor_that_does_not_move_stops_the_read() {
    for raw in [true, false] {
        let host = Arc::new(RawHost::new(raw));
        host.stuck.store(true, Ordering::SeqCst);
        let svc = service(host.clone());
        let err = svc.rebuild_index().unwrap_err();
        assert!(
            matches!(err, ServiceError::CursorStuck),
            "raw {raw}: {err:?}"
        );
        assert!(svc.current_index(|_| ()).is_none(), "raw {raw}");
        // The first page, then the second whose cursor did not move.
        let asked = if raw {
            &host.raw_calls
        } else {
            &host.decoded_calls
        };
        assert_eq!(asked.load(Ordering::SeqCst), 2, "raw {raw}");
    }

    let host = RawHost::new(false);
    host.stuck.store(true, Ordering::SeqCst);
    let err = seatwarden_service::host::read_snapshot(&host, 5).unwrap_err();
    assert!(
        matches!(&err, HostError::Invalid(m) if m == "the users cursor did not advance"),
        "{err:?}"
    );

    // The same host, moving: every user, 5 a page, as the index has them.
    host.stuck.store(false, Ordering::SeqCst);
    let file = seatwarden_service::host::read_snapshot(&host, 5).unwrap();
    let svc = service(Arc::new(RawHost::new(false)));
    svc.rebuild_index().unwrap();
    let count = svc.current_index(|i| i.user_count()).unwrap();
    assert_eq!(
        file.pages.iter().map(|p| p.users.len()).sum::<usize>(),
        count
    );
    assert_eq!(file.pages.len(), count.div_ceil(5));
}
