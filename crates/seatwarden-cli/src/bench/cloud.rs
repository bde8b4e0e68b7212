//! Benchmarks of the Cloud connector's refresh against the fake Atlassian
//! Cloud (issue 20): how many requests and how long a full read of an
//! organization takes.
//!
//! - `cloud.refresh`: `CloudHost::refresh` of the whole organization (users
//!   with groups and per-product dates in pages of 100, groups, Jira's
//!   application roles) over loopback HTTP; `requests` and
//!   `requests_per_user` per refresh;
//! - `cloud.refresh_rate_limited`: the same with a 429 (`Retry-After: 0`) on
//!   every 10th request, to show the cost of the retries in requests;
//! - `cloud.refresh_incremental`: after a full read and 10 changes made in
//!   Atlassian's admin screens (10 audit-log events), one incremental
//!   refresh (the audit log, the 10 accounts by id, the rolling window of
//!   last-active dates at the default 10-minute age, groups, roles);
//!   `requests` per refresh and `full_requests`, a full read's, beside it.
//!
//! The fake answers from memory on the same machine, so the time is the
//! connector's own (HTTP, JSON, mapping) plus the fake's; against Atlassian
//! the network and its rate limits dominate. `users` is each `--users` size,
//! at most 100 000.

use seatwarden_cloud::fake::{self, Credentials, FakeCloud, Faults};
use seatwarden_cloud::{CloudClient, CloudHost};
use serde_json::json;

use crate::bench::Harness;
use crate::cmd::support::CliError;

const NOW: i64 = 1_800_000_000_000;

pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    let mut sizes: Vec<usize> = h.sizes.iter().map(|&n| n.min(100_000)).collect();
    sizes.dedup();
    for users in sizes {
        let org = fake::generate(users, h.seed, NOW);
        let fake = FakeCloud::start(org, Credentials::default()).map_err(CliError::engine)?;
        for (name, faults) in [
            ("cloud.refresh", Faults::default()),
            (
                "cloud.refresh_rate_limited",
                Faults {
                    rate_limit_every: Some(10),
                    retry_after_secs: 0,
                    ..Faults::default()
                },
            ),
        ] {
            fake.set_faults(faults);
            let host = CloudHost::new(CloudClient::new(fake.config()));
            let mut failed = None;
            let timing = h.time_n(3, || {
                if let Err(e) = host.refresh() {
                    failed = Some(e);
                }
            });
            if let Some(e) = failed {
                return Err(CliError::engine(e));
            }
            let requests = host.client().counters().requests() as f64 / 3.0;
            h.report(
                name,
                users,
                timing,
                json!({
                    "requests": requests.round(),
                    "requests_per_user": (requests / users.max(1) as f64 * 1e4).round() / 1e4,
                }),
            );
        }
        fake.set_faults(Faults::default());
        incremental(h, &fake, users)?;
    }
    Ok(())
}

/// `cloud.refresh_incremental` (see the module docs): three rounds of ten
/// changes, each followed by one timed incremental refresh.
fn incremental(h: &mut Harness, fake: &FakeCloud, users: usize) -> Result<(), CliError> {
    let host = CloudHost::new(CloudClient::new(fake.config()))
        .with_clock(|| seatwarden_core::Millis(NOW + 60_000))
        .incremental();
    host.refresh().map_err(CliError::engine)?;
    let full = host.client().counters().requests();
    let ids: Vec<String> = fake
        .users()
        .iter()
        .take(30)
        .map(|u| u.account_id.clone())
        .collect();
    let mut round = 0usize;
    let mut failed = None;
    let before = host.client().counters().requests();
    let timing = h.time_n(3, || {
        for id in ids.iter().skip(round * 10).take(10) {
            fake.admin_change(id, "user_email_updated", |u| {
                u.email = Some(format!("bench-{round}@acme.example"));
            });
        }
        round += 1;
        if let Err(e) = host.refresh_incremental() {
            failed = Some(format!("{e:?}"));
        }
    });
    if let Some(e) = failed {
        return Err(CliError::Usage(format!("incremental refresh failed: {e}")));
    }
    let requests = (host.client().counters().requests() - before) as f64 / 3.0;
    h.report(
        "cloud.refresh_incremental",
        users,
        timing,
        json!({
            "requests": requests.round(),
            "full_requests": full,
            "changes": 10,
        }),
    );
    Ok(())
}
