//! `seatwarden serve --demo --cloud`: the Cloud edition with one command.
//!
//! Starts the fake Atlassian Cloud (`seatwarden_cloud::fake`) over a
//! generated organization on a loopback port and puts the Cloud connector
//! in front of it, so a newcomer sees the Cloud edition without an
//! organization, a key or the internet. The connector talks real HTTP to the
//! fake exactly as it would to Atlassian; only the address differs. The
//! organization lives in memory: its changes are gone when the server stops
//! (the store keeps the audit of them).

use std::sync::Arc;

use seatwarden_cloud::fake::{self, Credentials, FakeCloud};
use seatwarden_cloud::{CloudClient, CloudHost};
use seatwarden_service::host::Host;

use super::Clock;
use crate::cmd::support::CliError;

/// The running fake and the connector over it.
pub(crate) struct CloudDemo {
    _fake: FakeCloud,
    host: Arc<CloudHost>,
}

impl CloudDemo {
    /// The connector, as the service's host.
    pub(crate) fn host(&self) -> Arc<dyn Host> {
        self.host.clone()
    }
}

/// Starts a fake organization of `users` users as of the clock's now.
pub(crate) fn start(users: usize, clock: &Clock) -> Result<CloudDemo, CliError> {
    let org = fake::generate(users, 20, clock.now().0);
    let fake = FakeCloud::start(org, Credentials::default())
        .map_err(|e| CliError::Usage(format!("cannot start the fake Atlassian Cloud: {e}")))?;
    let c = clock.clone();
    let host =
        Arc::new(CloudHost::new(CloudClient::new(fake.config())).with_clock(move || c.now()));
    let status = host.connect().map_err(CliError::engine)?;
    println!(
        "Cloud demo: connected to org \"{}\" on a fake Atlassian Cloud at {} ({users} users, {} Jira licences)",
        status.org_name,
        fake.base_url(),
        status.licences
    );
    Ok(CloudDemo { _fake: fake, host })
}
