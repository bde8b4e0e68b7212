//! `seatwarden serve` on the Cloud connector.
//!
//! - `--demo --cloud`: the Cloud edition with one command. Starts the fake
//!   Atlassian Cloud (`seatwarden_cloud::fake`) over a generated
//!   organization on a loopback port and puts the connector in front of it,
//!   so a newcomer sees the Cloud edition without an organization, a key or
//!   the internet. The connector talks real HTTP to the fake exactly as it
//!   would to Atlassian; only the address differs. The organization lives in
//!   memory: its changes are gone when the server stops (the store keeps
//!   their audit).
//! - `--cloud-connection FILE`: a real organization, until the connection
//!   screen exists. The file holds the organization API key and the site
//!   token, so it must be readable by its owner only (mode 0600, as ssh
//!   requires of private keys): start-up refuses it otherwise. Both
//!   credentials are checked before the server starts (nothing is written);
//!   a refusal names the credential and what it lacks, never its value.

use std::path::Path;
use std::sync::Arc;

use seatwarden_cloud::fake::{self, Credentials, FakeCloud};
use seatwarden_cloud::{CloudClient, CloudConfig, CloudHost, Secret};
use seatwarden_service::host::Host;

use super::Clock;
use crate::cmd::support::CliError;

/// Atlassian's admin APIs.
const ATLASSIAN_API: &str = "https://api.atlassian.com";

/// The connector over the organization (and the fake, for the demo).
pub(crate) struct CloudConnection {
    _fake: Option<FakeCloud>,
    host: Arc<CloudHost>,
}

impl CloudConnection {
    /// The connector, as the service's host.
    pub(crate) fn host(&self) -> Arc<dyn Host> {
        self.host.clone()
    }
}

/// Starts a fake organization of `users` users as of the clock's now.
pub(crate) fn start_demo(users: usize, clock: &Clock) -> Result<CloudConnection, CliError> {
    let org = fake::generate(users, 20, clock.now().0);
    let fake = FakeCloud::start(org, Credentials::default())
        .map_err(|e| CliError::Usage(format!("cannot start the fake Atlassian Cloud: {e}")))?;
    let host = connected(
        fake.config(),
        clock,
        &format!("a fake Atlassian Cloud at {}", fake.base_url()),
    )?;
    Ok(CloudConnection {
        _fake: Some(fake),
        host,
    })
}

/// The connection file's fields.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ConnectionFile {
    org_id: String,
    api_key: String,
    site_url: String,
    site_email: String,
    site_token: String,
    /// `-` (every directory the key may manage) unless given.
    #[serde(default)]
    directory_id: Option<String>,
    /// Atlassian's admin API base; only for a proxy or a test double.
    #[serde(default)]
    api_base: Option<String>,
}

/// Connects to the organization described by `file`.
pub(crate) fn connect(file: &Path, clock: &Clock) -> Result<CloudConnection, CliError> {
    let shown = file.display();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(file)
            .map_err(|e| CliError::io(file, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(CliError::Usage(format!(
                "`{shown}` can be read by other users (mode {:04o}) and holds the organization API \
                 key and the site token: run `chmod 600 {shown}`",
                mode & 0o7777
            )));
        }
    }
    let text = std::fs::read_to_string(file).map_err(|e| CliError::io(file, e))?;
    // The error names the position only: serde's text could quote a secret.
    let parsed: ConnectionFile = serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "`{shown}` is not a valid connection file ({:?} error at line {}, column {}); \
             it needs orgId, apiKey, siteUrl, siteEmail and siteToken",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let config = CloudConfig {
        admin_base: parsed.api_base.unwrap_or_else(|| ATLASSIAN_API.to_owned()),
        org_id: parsed.org_id,
        directory_id: parsed.directory_id.unwrap_or_else(|| "-".to_owned()),
        api_key: Secret::new(parsed.api_key),
        site_base: parsed.site_url.trim_end_matches('/').to_owned(),
        site_email: parsed.site_email,
        site_token: Secret::new(parsed.site_token),
    };
    for (name, empty) in [
        ("orgId", config.org_id.is_empty()),
        ("apiKey", config.api_key.is_empty()),
        ("siteUrl", config.site_base.is_empty()),
        ("siteEmail", config.site_email.is_empty()),
        ("siteToken", config.site_token.is_empty()),
    ] {
        if empty {
            return Err(CliError::Usage(format!("`{shown}`: `{name}` is empty")));
        }
    }
    let site = config.site_base.clone();
    let host = connected(config, clock, &format!("site {site}"))?;
    Ok(CloudConnection { _fake: None, host })
}

/// The connector over `config`, its credentials checked.
fn connected(config: CloudConfig, clock: &Clock, place: &str) -> Result<Arc<CloudHost>, CliError> {
    let c = clock.clone();
    let host = Arc::new(CloudHost::new(CloudClient::new(config)).with_clock(move || c.now()));
    let status = host
        .connect()
        .map_err(|e| CliError::Usage(format!("cannot connect to Atlassian Cloud: {e}")))?;
    println!(
        "Cloud: connected to org \"{}\" ({} users, {place}, {} Jira licences)",
        status.org_name, status.users, status.licences
    );
    Ok(host)
}
