//! Times the phases of a restart's directory read (a profiling aid, not a
//! benchmark: `seatwarden bench --only directory` is the measured row).
//!
//! `cargo run --release --example restart_probe -p seatwarden-directory-sqlite -- FOLDER USERS`
//! seeds `FOLDER/directory.db` with the demo organisation when it does not
//! exist, then times the early read of the first 20 users by username
//! (what answers the first Users page while the index is built), opening
//! it, its header (seat counts) and reading every page of 5 000 users, then
//! a whole restart (a service over it answering the first page from a
//! fresh index), three times.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use seatwarden_demo::DemoOptions;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::host::Host;

fn main() {
    let mut args = std::env::args().skip(1);
    let folder = std::path::PathBuf::from(args.next().expect("FOLDER"));
    let users: usize = args.next().expect("USERS").parse().expect("a number");
    if !folder.join(seatwarden_directory_sqlite::FILE_NAME).exists() {
        std::fs::create_dir_all(&folder).unwrap();
        let snapshot = seatwarden_demo::generate(&DemoOptions {
            users,
            ..DemoOptions::default()
        });
        SqliteDirectory::open_in(&folder)
            .unwrap()
            .seed(&snapshot)
            .unwrap();
    }
    for _ in 0..3 {
        // The early read (issue 19): a fresh open, the first 20 users by
        // username, the header without seat counts and the user count.
        let t = Instant::now();
        let first = SqliteDirectory::open_in(&folder)
            .unwrap()
            .first_users_by_username(20)
            .unwrap()
            .unwrap();
        let early = t.elapsed();
        let t = Instant::now();
        let d = SqliteDirectory::open_in(&folder).unwrap();
        let open = t.elapsed();
        let t = Instant::now();
        let header = d.header().unwrap();
        let head = t.elapsed();
        let t = Instant::now();
        let (mut n, mut groups, mut cursor) = (0usize, 0usize, None::<String>);
        loop {
            let page = d.users_page(cursor.as_deref(), 5_000).unwrap();
            n += page.users.len();
            groups += page.users.iter().map(|u| u.groups.len()).sum::<usize>();
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let pages = t.elapsed();
        let t = Instant::now();
        let service = seatwarden_service::Service::new(
            std::sync::Arc::new(d),
            std::sync::Arc::new(seatwarden_service::store::MemoryStore::new()),
            seatwarden_service::ServiceOptions::default(),
        )
        .unwrap();
        let total = service
            .with_index(|index| {
                index
                    .query(&seatwarden_core::query::Query::default(), header.taken_at)
                    .map(|page| page.total)
            })
            .unwrap()
            .unwrap();
        let restart = t.elapsed();
        let seats: Vec<u32> = header.licences.iter().map(|l| l.seats_used).collect();
        println!(
            "early {early:?} ({} of {}) open {open:?} header {head:?} pages {pages:?} restart {restart:?} (matches {total}) users {n} memberships {groups} seats {seats:?}",
            first.users.len(),
            first.total
        );
    }
}
