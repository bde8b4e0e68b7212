//! Reading a large organization through rate limits and server errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{NOW, org, start, user};
use seatwarden_cloud::fake::{self, Credentials, Faults};
use seatwarden_cloud::mapping;
use seatwarden_cloud::{CloudError, CloudHost};
use seatwarden_core::activity::SignalKind;
use seatwarden_core::snapshot::SnapshotHeader;
use seatwarden_service::host::{Host, read_snapshot};

#[test]
fn paging_over_100k_users_with_429s_and_a_5xx_midway_finishes_with_the_right_data() {
    let generated = fake::generate(100_000, 20, NOW);
    let mapped: Vec<_> = generated.users.iter().map(mapping::map_user).collect();
    let layout = mapping::SignalLayout::of(mapped.iter().map(|(_, f)| f));
    let expected: BTreeMap<String, _> = mapped
        .iter()
        .map(|(u, f)| {
            let mut u = u.clone();
            u.activity = layout.values(&f.products).0;
            (u.key.clone(), u)
        })
        .collect();
    let (fake, host, pause) = start(generated, Credentials::default());
    // A 429 every 7th request (every few pages) and a 503 midway.
    fake.set_faults(Faults {
        rate_limit_every: Some(7),
        retry_after_secs: 2,
        server_error_at: [503].into_iter().collect(),
        ..Faults::default()
    });
    let snapshot = read_snapshot(&host, 1000).unwrap();
    let read: BTreeMap<String, _> = snapshot
        .pages
        .iter()
        .flat_map(|p| &p.users)
        .map(|u| (u.key.clone(), u.clone()))
        .collect();
    assert_eq!(read.len(), 100_000);
    assert_eq!(read, expected, "every user, mapped, exactly once");

    // Bounded: 1000 user pages + 1 group page + 1 role read succeeded; every
    // other request was an injected fault, each retried once.
    let log = fake.log();
    let ok = log.iter().filter(|l| l.status == 200).count();
    let limited = log.iter().filter(|l| l.status == 429).count();
    let failed = log.iter().filter(|l| l.status == 503).count();
    assert_eq!(ok, 1002);
    assert_eq!(failed, 1);
    assert!(limited >= 140, "a 429 every few pages: {limited}");
    assert_eq!(log.len(), ok + limited + failed);
    assert_eq!(host.client().counters().requests(), log.len() as u64);
    assert_eq!(host.client().counters().rate_limited(), limited as u64);
    // The waits were Retry-After for each 429 and one backoff for the 503.
    let waits = pause.waits.lock().clone();
    assert_eq!(
        waits
            .iter()
            .filter(|w| **w == Duration::from_secs(2))
            .count(),
        limited
    );
    assert_eq!(waits.len(), limited + failed);
}

#[test]
fn server_errors_are_retried_a_bounded_number_of_times_then_named() {
    let (fake, host, pause) = start(
        org(vec![user("a", true, Some(1), &[])], 10),
        Credentials::default(),
    );
    fake.set_faults(Faults {
        server_error_at: (1..=10).collect(),
        ..Faults::default()
    });
    let error = host.refresh().unwrap_err();
    assert_eq!(
        error,
        CloudError::ServerError {
            call: "read users",
            status: 503,
            attempts: 4
        }
    );
    assert_eq!(fake.requests(), 4, "the first try and three retries");
    assert_eq!(
        pause.waits.lock().clone(),
        [1, 2, 4].map(Duration::from_secs).to_vec(),
        "doubling backoff"
    );
    assert!(error.to_string().contains("503"), "{error}");
}

#[test]
fn a_rate_limit_that_never_lifts_gives_up_with_a_precise_error() {
    let (fake, host, _) = start(
        org(vec![user("a", true, Some(1), &[])], 10),
        Credentials::default(),
    );
    fake.set_faults(Faults {
        rate_limit_every: Some(1),
        retry_after_secs: 3,
        ..Faults::default()
    });
    let error = host.refresh().unwrap_err();
    assert_eq!(
        error,
        CloudError::RateLimited {
            call: "read users",
            waits: 5
        }
    );
    assert_eq!(fake.requests(), 6);
}

#[test]
fn last_active_data_lags_until_atlassian_settles_it() {
    let (fake, host, _) = start(
        org(vec![user("a", true, Some(100), &["staff"])], 10),
        Credentials::default(),
    );
    let seen = |h: &SnapshotHeader| {
        h.signals
            .iter()
            .map(|d| (d.kind, d.product.as_ref().map(|p| p.as_str().to_owned())))
            .collect::<Vec<_>>()
    };
    let header = host.header().unwrap();
    assert_eq!(
        seen(&header),
        [(SignalKind::Seen, Some("jira-software".into()))]
    );
    let before = host.user(&"a".into()).unwrap().unwrap();
    assert_eq!(before.last_login, None, "Cloud has no login date");
    assert_eq!(before.activity.as_slice(), [Some(NOW - 100 * common::DAY)]);
    fake.record_activity("a", "confluence", &common::iso(NOW - 1000));
    let lagging = host.user(&"a".into()).unwrap().unwrap();
    assert_eq!(lagging.activity, before.activity, "not visible yet");
    assert_eq!(host.header().unwrap(), header, "nothing new: no re-read");
    fake.settle_activity();
    // A product the header does not declare yet: the single read cannot
    // place it, and the next index build re-reads and declares it.
    let settled = host.user(&"a".into()).unwrap().unwrap();
    assert_eq!(settled.activity, before.activity);
    let header = host.header().unwrap();
    assert_eq!(
        seen(&header),
        [
            (SignalKind::Seen, Some("confluence".into())),
            (SignalKind::Seen, Some("jira-software".into()))
        ]
    );
    let reread = host.users_page(None, 10).unwrap().users;
    assert_eq!(
        reread[0].activity.as_slice(),
        [Some(NOW - 1000), Some(NOW - 100 * common::DAY)]
    );
    let facts = host.facts(&"a".into()).unwrap();
    assert_eq!(
        facts
            .products
            .iter()
            .map(|p| p.product.as_str())
            .collect::<Vec<_>>(),
        ["confluence", "jira-software"],
        "per-product dates kept, latest first"
    );
}

#[test]
fn pages_follow_the_cursor_and_refresh_reports_progress() {
    let users = (0..250)
        .map(|i| user(&format!("u{i:03}"), true, Some(i), &[]))
        .collect();
    let (fake, _, pause) = start(org(users, 500), Credentials::default());
    let seen = std::sync::Arc::new(parking_lot::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let host = CloudHost::new(seatwarden_cloud::CloudClient::with_policy(
        fake.config(),
        common::policy(),
        pause,
    ))
    .with_progress(move |p| sink.lock().push((p.pages, p.users)));
    assert_eq!(host.refresh().unwrap(), 250);
    assert_eq!(seen.lock().clone(), [(1, 100), (2, 200), (3, 250)]);
}
