//! The Users tab's first pages answered while the index is built after a
//! start (`seatwarden_service::service::early_page`) are exactly the pages
//! the ready index gives: same users, order and fields, the directory's
//! counts; only `indexing: true` tells them apart.
//!
//! Nothing here waits on time: the build is either not run yet (the
//! announcement alone makes a request answer early) or held at a gate the
//! test opens.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::{Arc, Condvar, Mutex, mpsc};

use seatwarden_core::model::UserKey;
use seatwarden_core::operation::{Operation, OperationFailure};
use seatwarden_core::snapshot::{SnapshotFile, SnapshotHeader, SnapshotUser};
use seatwarden_core::time::Millis;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::api::Method;
use seatwarden_service::host::{Applied, FirstUsers, Host, HostError, UsersPage};
use seatwarden_service::store::MemoryStore;
use seatwarden_service::testing::{admin, call};
use seatwarden_service::{EARLY_USERS, Service, ServiceOptions};
use serde_json::Value;

/// Usernames that sort differently by bytes, by case and by Unicode
/// lower-casing: mixed case, accents, the Kelvin sign (lower-cases to
/// ASCII `k`), the dotted capital I (lower-cases to two characters),
/// Greek, punctuation and digits first.
const PREFIXES: &[&str] = &[
    "alice",
    "Alice",
    "ÉLISE",
    "élise",
    "Zoë",
    "zoe",
    "\u{212A}elvin",
    "kelvin",
    "İpek",
    "ipek",
    "Ωmega",
    "ωmega",
    "_svc",
    "0day",
    "Bob",
    "bob.smith",
    "ZZ",
    "a",
];

/// A small deterministic generator (splitmix64), so each case is the same
/// on every run and needs no extra dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
}

/// The demo organisation of `users` users (seed `seed`, a `seen` signal on
/// odd seeds), its usernames replaced by random prefixes; each ends in the
/// user's number, so no two fold to the same name.
fn directory(users: usize, seed: u64) -> (SqliteDirectory, tempfile::TempDir, Millis) {
    let mut snapshot: SnapshotFile = seatwarden_demo::generate(&seatwarden_demo::DemoOptions {
        users,
        seed,
        seen_since_days: (seed % 2 == 1).then_some(40),
        ..seatwarden_demo::DemoOptions::default()
    });
    let mut rng = Rng(seed);
    for (i, user) in snapshot
        .pages
        .iter_mut()
        .flat_map(|p| p.users.iter_mut())
        .enumerate()
    {
        // Keep the sysadmins' names: the demo signs in with them.
        if snapshot
            .header
            .sysadmins
            .iter()
            .any(|k| k.as_str() == user.key)
        {
            continue;
        }
        user.username = format!("{}{i:05}", PREFIXES[rng.below(PREFIXES.len())]);
    }
    let folder = tempfile::tempdir().unwrap();
    let d = SqliteDirectory::open_in(folder.path()).unwrap();
    assert!(d.seed(&snapshot).unwrap());
    let now = snapshot.header.taken_at;
    d.set_time(now);
    (d, folder, now)
}

fn service(host: Arc<dyn Host>) -> Arc<Service> {
    Arc::new(
        Service::new(
            host,
            Arc::new(MemoryStore::new()),
            ServiceOptions::default(),
        )
        .unwrap(),
    )
}

/// The default view's page `page` of `size` rows.
fn page(s: &Service, page: u32, size: u32, now: Millis) -> Value {
    let path = format!("/api/users?filter={{\"page\":{page},\"pageSize\":{size}}}");
    let (status, body) = call(s, admin("K-admin"), (Method::Get, &path), None, now);
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The pages asked of each directory: every page size, the first pages,
/// the last one within the early users and one past the end.
fn pages_asked(users: usize) -> Vec<(u32, u32)> {
    let mut asked = Vec::new();
    for size in [10u32, 20, 50, 100] {
        let within = u32::try_from(EARLY_USERS).unwrap() / size;
        let past_end = u32::try_from(users).unwrap().div_ceil(size) + 1;
        for p in [1, 2, within, past_end] {
            if p <= within && !asked.contains(&(p, size)) {
                asked.push((p, size));
            }
        }
    }
    asked
}

fn without_indexing(mut body: Value) -> Value {
    assert_eq!(
        body["indexing"],
        Value::Bool(true),
        "an early page says so: {body}"
    );
    body.as_object_mut().unwrap().remove("indexing");
    body
}

#[test]
fn early_pages_are_the_ready_index_pages_on_random_directories() {
    for (case, users) in [1usize, 37, 260, 999, 1_000, 1_001, 1_700]
        .into_iter()
        .enumerate()
    {
        let seed = 7 + case as u64;
        let (d, _folder, now) = directory(users, seed);
        let s = service(Arc::new(d));
        let build = s.build_index_in_background();
        assert!(s.indexing());
        let asked = pages_asked(users);
        let early: Vec<Value> = asked
            .iter()
            .map(|&(p, size)| without_indexing(page(&s, p, size, now)))
            .collect();
        assert!(s.indexing(), "the early pages built no index");
        build.run().unwrap();
        assert!(!s.indexing());
        for ((p, size), early) in asked.iter().zip(early) {
            let ready = page(&s, *p, *size, now);
            assert_eq!(ready.get("indexing"), None, "{ready}");
            assert_eq!(
                early, ready,
                "{users} users (seed {seed}), page {p} of {size}"
            );
        }
        // Sanity: the comparison saw rows, and counts past the early users.
        let first = page(&s, 1, 10, now);
        assert_eq!(first["total"], users as u64);
        assert_eq!(first["rows"].as_array().unwrap().len(), users.min(10));
    }
}

#[test]
fn other_views_and_later_pages_wait_for_the_index() {
    let (d, _folder, now) = directory(300, 3);
    let s = service(Arc::new(d));
    let build = s.build_index_in_background();
    // Past the early users: answered by the index, built for it.
    let later = page(&s, 11, 100, now);
    assert_eq!(later.get("indexing"), None, "{later}");
    assert!(!s.indexing(), "the request built the index");
    drop(build);
}

#[test]
fn a_build_dropped_unrun_withdraws_the_announcement() {
    let (d, _folder, now) = directory(50, 5);
    let s = service(Arc::new(d));
    drop(s.build_index_in_background());
    assert!(!s.indexing());
    assert_eq!(page(&s, 1, 20, now).get("indexing"), None);
}

/// The SQLite directory with its header held at a gate until the test
/// opens it; says when the build reached the gate.
struct Gated {
    inner: SqliteDirectory,
    open: Mutex<bool>,
    opened: Condvar,
    reached: Mutex<Option<mpsc::Sender<()>>>,
}

impl Gated {
    fn open_gate(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }
}

impl Host for Gated {
    fn header(&self) -> Result<SnapshotHeader, HostError> {
        if let Some(reached) = self.reached.lock().unwrap().take() {
            reached.send(()).unwrap();
        }
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
        drop(open);
        self.inner.header()
    }
    fn users_page(&self, cursor: Option<&str>, limit: usize) -> Result<UsersPage, HostError> {
        self.inner.users_page(cursor, limit)
    }
    fn first_users_by_username(&self, limit: usize) -> Option<Result<FirstUsers, HostError>> {
        self.inner.first_users_by_username(limit)
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

#[test]
fn while_a_build_is_under_way_the_first_page_comes_from_the_directory_as_it_is_now() {
    let (d, _folder, now) = directory(400, 11);
    let (reached_tx, reached) = mpsc::channel();
    let host = Arc::new(Gated {
        inner: d,
        open: Mutex::new(false),
        opened: Condvar::new(),
        reached: Mutex::new(Some(reached_tx)),
    });
    let s = service(host.clone());
    let build = s.build_index_in_background();
    let builder = std::thread::spawn(move || build.run());
    reached.recv().unwrap();
    // The build holds the index's build lock at the gate: a request that
    // waited for it would never answer, so it is made on a thread of its
    // own and the gate is opened whatever happens.
    let (answer_tx, answer) = mpsc::channel();
    let asking = s.clone();
    let request = std::thread::spawn(move || {
        let first = page(&asking, 1, 20, now);
        // A write landing during the build shows at once: the first row
        // whose directory takes it (read-only directories refuse).
        let (row, key) = first["rows"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .filter(|(_, r)| r["active"] == Value::Bool(true))
            .map(|(i, r)| (i, r["key"].as_str().unwrap().to_owned()))
            .find(|(_, key)| {
                asking
                    .host()
                    .apply(&Operation::Deactivate {
                        user: UserKey::from(key.as_str()),
                    })
                    .is_ok()
            })
            .expect("an active user in a writable directory on the first page");
        answer_tx
            .send((row, key, page(&asking, 1, 20, now)))
            .unwrap();
    });
    // Deadlock guard only (a wrong implementation would wait for the
    // gate): generous, and nothing is asserted on how long anything took.
    let got = answer.recv_timeout(std::time::Duration::from_secs(300));
    host.open_gate();
    let (row, key, early) = got.expect("the first page waited for the index build");
    request.join().unwrap();
    builder.join().unwrap().unwrap();
    let early = without_indexing(early);
    assert_eq!(early["rows"][row]["key"], Value::String(key));
    assert_eq!(early["rows"][row]["active"], Value::Bool(false), "{early}");
    let ready = page(&s, 1, 20, now);
    assert_eq!(early, ready);
}

/// Closing a directory whose read-only connection was used still folds
/// the write-ahead log into the file (the read-write connection closes
/// last): a stopped server leaves one whole file, as before.
#[test]
fn closing_after_an_early_read_leaves_the_log_checkpointed() {
    let (d, folder, _) = directory(300, 13);
    let path = d.path().to_path_buf();
    let first = d.first_users_by_username(10).unwrap().unwrap();
    assert_eq!(first.users.len(), 10);
    drop(d);
    let wal = folder.path().join("directory.db-wal");
    assert!(
        !wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0,
        "the log was left behind"
    );
    assert!(std::fs::metadata(&path).unwrap().len() > 64 * 1024);
}
