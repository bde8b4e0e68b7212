//! Benchmarks of the Cloud connector's refresh against the fake Atlassian
//! Cloud (issue 20): how many requests and how long a full read of an
//! organization takes.
//!
//! - `cloud.refresh`: `CloudHost::refresh` of the whole organization (users
//!   with groups and per-product dates in pages of 100, groups, Jira's
//!   application roles) over loopback HTTP; `requests` and
//!   `requests_per_user` per refresh;
//! - `cloud.refresh_rate_limited`: the same with a 429 (`Retry-After: 0`) on
//!   every 10th request, to show the cost of the retries in requests.
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
    }
    Ok(())
}
