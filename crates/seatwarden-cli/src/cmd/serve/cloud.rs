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
//! - `--cloud-connection FILE`: a real organization (the connection screen
//!   saves to the same file and swaps the running host without a restart).
//!   The file holds the organization API key and the site token, so it
//!   must be readable by its owner only (mode 0600, as ssh requires of
//!   private keys): start-up refuses it otherwise. Both
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
    /// The check made at start (what the connection screen shows).
    status: Option<seatwarden_service::cloud::CloudConnected>,
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
    let (host, status) = connected(
        fake.config(),
        clock,
        &format!("a fake Atlassian Cloud at {}", fake.base_url()),
    )?;
    Ok(CloudConnection {
        _fake: Some(fake),
        host,
        status: Some(status),
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

impl ConnectionFile {
    /// The connection it describes (no check).
    fn into_config(self) -> CloudConfig {
        CloudConfig {
            admin_base: self.api_base.unwrap_or_else(|| ATLASSIAN_API.to_owned()),
            org_id: self.org_id,
            directory_id: self.directory_id.unwrap_or_else(|| "-".to_owned()),
            api_key: Secret::new(self.api_key),
            site_base: self.site_url.trim_end_matches('/').to_owned(),
            site_email: self.site_email,
            site_token: Secret::new(self.site_token),
        }
    }
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
    let config = parsed.into_config();
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
    let (host, status) = connected(config, clock, &format!("site {site}"))?;
    Ok(CloudConnection {
        _fake: None,
        host,
        status: Some(status),
    })
}

/// `host` refreshing incrementally after its first full read, each refresh
/// said on the server's output (what it read, or why it read everything).
fn watched(host: CloudHost) -> CloudHost {
    host.incremental().on_refresh(|r| match r {
        seatwarden_cloud::Refreshed::Full { reason: None } => {
            println!("Cloud: read the whole organization");
        }
        seatwarden_cloud::Refreshed::Full { reason: Some(why) } => {
            println!("Cloud: read the whole organization: {why}");
        }
        seatwarden_cloud::Refreshed::Incremental {
            events,
            named,
            window,
            removed,
        } => println!(
            "Cloud: refreshed {named} account(s) named by {events} audit-log event(s) \
             ({removed} gone) and {window} in the rolling window of last-active dates"
        ),
    })
}

/// The connector over `config`, its credentials checked.
fn connected(
    config: CloudConfig,
    clock: &Clock,
    place: &str,
) -> Result<(Arc<CloudHost>, seatwarden_service::cloud::CloudConnected), CliError> {
    let c = clock.clone();
    let site = config.site_base.clone();
    let host = Arc::new(watched(
        CloudHost::new(CloudClient::new(config)).with_clock(move || c.now()),
    ));
    let status = host
        .connect()
        .map_err(|e| CliError::Usage(format!("cannot connect to Atlassian Cloud: {e}")))?;
    println!(
        "Cloud: connected to org \"{}\" ({} users, {place}, {} Jira licences)",
        status.org_name, status.users, status.licences
    );
    let shown = seatwarden_service::cloud::CloudConnected {
        org_name: status.org_name,
        users: status.users,
        site_url: site,
        licences: status.licences as u64,
    };
    Ok((host, shown))
}

/// The connection file the connection screen keeps in the data folder.
pub(crate) const CONNECTION_FILE: &str = "cloud-connection.json";

/// The connection screen's holder (`seatwarden_service::cloud`): checks a
/// connection with the connector (every credential, nothing written) and
/// keeps it as a connection file readable by the server's account only,
/// in the data folder (0700, every file 0600: where the mail password is
/// kept too). The demo keeps its fake organization's connection in memory
/// and writes nothing.
pub(crate) struct Connections {
    /// The file saved connections go to (the one `--cloud-connection` named,
    /// or the data folder's).
    file: std::path::PathBuf,
    clock: Clock,
    /// The connection the server runs on, if it runs on Cloud (a save
    /// swaps it live).
    running: parking_lot::Mutex<Option<CloudConfig>>,
    /// The host over the connection just saved, for the save route to swap
    /// in (`CloudConnections::take_saved_host`).
    saved_host: parking_lot::Mutex<Option<Arc<dyn Host>>>,
    /// The last successful check of the running connection.
    status: parking_lot::Mutex<Option<seatwarden_service::cloud::CloudConnected>>,
    /// The demo's fake organization: nothing is written.
    demo: bool,
    /// A connection saved in the demo (in memory only).
    demo_saved: parking_lot::Mutex<Option<CloudConfig>>,
}

impl Connections {
    /// The holder for a server whose data folder is `data`, running on
    /// `connection` (if Cloud); `file` overrides where saves go.
    pub(crate) fn new(
        data: &Path,
        file: Option<&Path>,
        connection: Option<&CloudConnection>,
        clock: &Clock,
    ) -> Connections {
        let running = connection.map(|c| c.host.client().config().clone());
        let status = connection.and_then(|c| c.status.clone());
        Connections {
            file: file.map_or_else(|| data.join(CONNECTION_FILE), Path::to_path_buf),
            clock: clock.clone(),
            demo: connection.is_some_and(|c| c._fake.is_some()),
            running: parking_lot::Mutex::new(running),
            saved_host: parking_lot::Mutex::new(None),
            status: parking_lot::Mutex::new(status),
            demo_saved: parking_lot::Mutex::new(None),
        }
    }

    /// The stored connection: the demo's in memory, else the file's.
    fn stored(&self) -> Option<CloudConfig> {
        if self.demo {
            return self
                .demo_saved
                .lock()
                .clone()
                .or_else(|| self.running.lock().clone());
        }
        read_file(&self.file)
            .ok()
            .or_else(|| self.running.lock().clone())
    }

    /// `form` as a connection, blank secrets taken from the stored one;
    /// missing or malformed fields refused by name.
    fn config_of(
        &self,
        form: &seatwarden_service::cloud::CloudConnectionForm,
    ) -> Result<CloudConfig, seatwarden_service::cloud::CloudRefusal> {
        use seatwarden_service::cloud::{CloudConnectionForm, CloudRefusal};
        let refuse = |field: &'static str, message: &str| CloudRefusal {
            field,
            message: message.to_owned(),
        };
        let stored = self.stored();
        let org_id = form.org_id.trim();
        if org_id.is_empty() {
            return Err(refuse(
                "orgId",
                "enter the organization ID (admin.atlassian.com › Settings › API keys shows it with the key)",
            ));
        }
        let site = form.site_url.trim().trim_end_matches('/');
        let local = site.starts_with("http://127.0.0.1") || site.starts_with("http://localhost");
        // Plain HTTP only to this machine (the fake, a local proxy): no
        // credential crosses a network unencrypted.
        if !(site.starts_with("https://") || local) || site.len() <= "https://".len() {
            return Err(refuse(
                "siteUrl",
                "enter the Jira site as https://your-domain.atlassian.net",
            ));
        }
        let email = form.site_email.trim();
        if !email.contains('@') {
            return Err(refuse(
                "siteEmail",
                "enter the email of the site admin account the API token belongs to",
            ));
        }
        let api_key = match CloudConnectionForm::typed(&form.api_key) {
            Some(k) => Secret::new(k),
            None => match &stored {
                Some(s) if !s.api_key.is_empty() => s.api_key.clone(),
                _ => return Err(refuse("apiKey", "enter the organization API key")),
            },
        };
        let site_token = match CloudConnectionForm::typed(&form.site_token) {
            Some(t) => Secret::new(t),
            None => match &stored {
                Some(s) if !s.site_token.is_empty() => s.site_token.clone(),
                _ => return Err(refuse("siteToken", "enter the site admin's API token")),
            },
        };
        let admin_base = stored
            .as_ref()
            .map_or_else(|| ATLASSIAN_API.to_owned(), |s| s.admin_base.clone());
        Ok(CloudConfig {
            admin_base,
            org_id: org_id.to_owned(),
            directory_id: stored
                .as_ref()
                .map_or_else(|| "-".to_owned(), |s| s.directory_id.clone()),
            api_key,
            site_base: site.to_owned(),
            site_email: email.to_owned(),
            site_token,
        })
    }

    /// Checks `config` with a connector over it (returned: the host a save
    /// swaps in).
    fn check(
        &self,
        config: CloudConfig,
    ) -> Result<
        (Arc<CloudHost>, seatwarden_service::cloud::CloudConnected),
        seatwarden_service::cloud::CloudRefusal,
    > {
        use seatwarden_cloud::{CloudError, Credential};
        let site = config.site_base.clone();
        let c = self.clock.clone();
        let host = Arc::new(watched(
            CloudHost::new(CloudClient::new(config)).with_clock(move || c.now()),
        ));
        match host.connect() {
            Ok(s) => Ok((
                host,
                seatwarden_service::cloud::CloudConnected {
                    org_name: s.org_name,
                    users: s.users,
                    site_url: site,
                    licences: s.licences as u64,
                },
            )),
            Err(e) => {
                let field = match &e {
                    CloudError::Unauthorized { credential, .. }
                    | CloudError::Forbidden { credential, .. } => match credential {
                        Credential::OrgApiKey => "apiKey",
                        Credential::SiteToken => "siteToken",
                    },
                    CloudError::NotFound { .. } => "orgId",
                    _ => "",
                };
                Err(seatwarden_service::cloud::CloudRefusal {
                    field,
                    message: e.to_string(),
                })
            }
        }
    }

    fn same(a: &CloudConfig, b: &CloudConfig) -> bool {
        a.org_id == b.org_id
            && a.site_base == b.site_base
            && a.site_email == b.site_email
            && a.api_key == b.api_key
            && a.site_token == b.site_token
    }
}

impl seatwarden_service::cloud::CloudConnections for Connections {
    fn current(&self) -> seatwarden_service::cloud::CloudConnectionView {
        let stored = self.stored();
        let in_use = match (&stored, &*self.running.lock()) {
            (Some(s), Some(r)) => Connections::same(s, r),
            _ => false,
        };
        let stored_in = if self.demo {
            "the demo's fake organization, in this server's memory only (nothing is written)"
                .to_owned()
        } else {
            format!(
                "{}, readable by the server's account only (mode 0600, in the data folder); the key and token are never shown again, logged or audited",
                self.file.display()
            )
        };
        seatwarden_service::cloud::CloudConnectionView {
            configured: stored.is_some(),
            org_id: stored
                .as_ref()
                .map(|s| s.org_id.clone())
                .unwrap_or_default(),
            site_url: stored
                .as_ref()
                .map(|s| s.site_base.clone())
                .unwrap_or_default(),
            site_email: stored
                .as_ref()
                .map(|s| s.site_email.clone())
                .unwrap_or_default(),
            api_key_set: stored.as_ref().is_some_and(|s| !s.api_key.is_empty()),
            site_token_set: stored.as_ref().is_some_and(|s| !s.site_token.is_empty()),
            stored_in,
            in_use,
            demo: self.demo,
            status: if in_use {
                self.status.lock().clone()
            } else {
                None
            },
        }
    }

    fn test(
        &self,
        form: &seatwarden_service::cloud::CloudConnectionForm,
    ) -> Result<seatwarden_service::cloud::CloudConnected, seatwarden_service::cloud::CloudRefusal>
    {
        let config = self.config_of(form)?;
        let running = self
            .running
            .lock()
            .as_ref()
            .is_some_and(|r| Connections::same(&config, r));
        let (_, connected) = self.check(config)?;
        if running {
            *self.status.lock() = Some(connected.clone());
        }
        Ok(connected)
    }

    fn save(
        &self,
        form: &seatwarden_service::cloud::CloudConnectionForm,
    ) -> Result<
        seatwarden_service::cloud::CloudConnectionView,
        seatwarden_service::cloud::CloudRefusal,
    > {
        let config = self.config_of(form)?;
        let (host, connected) = self.check(config.clone())?;
        if self.demo {
            *self.demo_saved.lock() = Some(config.clone());
        } else {
            write_file(&self.file, &config).map_err(|e| {
                seatwarden_service::cloud::CloudRefusal {
                    field: "",
                    message: format!("the connection could not be saved: {e}"),
                }
            })?;
        }
        // Live now: the save route swaps this host in between runs.
        let mut running = self.running.lock();
        if !running
            .as_ref()
            .is_some_and(|r| Connections::same(&config, r))
        {
            *self.saved_host.lock() = Some(host);
        }
        *running = Some(config);
        drop(running);
        *self.status.lock() = Some(connected);
        Ok(self.current())
    }

    fn take_saved_host(&self) -> Option<Arc<dyn Host>> {
        self.saved_host.lock().take()
    }
}

/// The connection file as a connection (no check).
fn read_file(file: &Path) -> Result<CloudConfig, String> {
    let text = std::fs::read_to_string(file).map_err(|e| e.kind().to_string())?;
    let parsed: ConnectionFile = serde_json::from_str(&text).map_err(|e| {
        format!(
            "not a valid connection file ({:?} error at line {}, column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })?;
    Ok(parsed.into_config())
}

/// Writes `config` to `file` readable by its owner only: a new file is
/// created 0600 next to it and renamed over it, so no reader ever sees a
/// half-written file or a moment of wider permissions.
fn write_file(file: &Path, config: &CloudConfig) -> std::io::Result<()> {
    use std::io::Write as _;
    let doc = serde_json::json!({
        "orgId": config.org_id,
        "apiKey": config.api_key.expose_for_storage(),
        "siteUrl": config.site_base,
        "siteEmail": config.site_email,
        "siteToken": config.site_token.expose_for_storage(),
        "directoryId": config.directory_id,
        "apiBase": config.admin_base,
    });
    let tmp = file.with_extension("json.tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut out = options.open(&tmp)?;
    out.write_all(doc.to_string().as_bytes())?;
    out.sync_all()?;
    drop(out);
    std::fs::rename(&tmp, file)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use seatwarden_cloud::fake::{self, Credentials, FakeCloud};
    use seatwarden_service::cloud::{CloudConnectionForm, CloudConnections as _};

    use super::{Clock, Connections};

    fn fake_org(users: usize) -> FakeCloud {
        FakeCloud::start(
            fake::generate(users, 7, 1_795_226_400_000),
            Credentials::default(),
        )
        .unwrap()
    }

    fn holder(fake: &FakeCloud, file: &std::path::Path) -> Connections {
        Connections {
            file: file.to_path_buf(),
            clock: Clock::System,
            running: parking_lot::Mutex::new(Some(fake.config())),
            saved_host: parking_lot::Mutex::new(None),
            status: parking_lot::Mutex::new(None),
            demo: false,
            demo_saved: parking_lot::Mutex::new(None),
        }
    }

    fn form(fake: &FakeCloud, key: Option<&str>, token: Option<&str>) -> CloudConnectionForm {
        let c = fake.config();
        CloudConnectionForm {
            org_id: c.org_id.clone(),
            api_key: key.map(str::to_owned),
            site_url: c.site_base.clone(),
            site_email: c.site_email.clone(),
            site_token: token.map(str::to_owned),
        }
    }

    #[test]
    fn each_refused_credential_is_named_by_its_field_and_never_echoed() {
        let fake = fake_org(30);
        let dir = tempfile::tempdir().unwrap();
        let h = holder(&fake, &dir.path().join("cloud-connection.json"));
        let e = h
            .test(&form(&fake, Some("wrong-key-123"), None))
            .unwrap_err();
        assert_eq!(e.field, "apiKey", "{}", e.message);
        assert!(e.message.contains("organization API key"), "{}", e.message);
        assert!(!e.message.contains("wrong-key-123"));
        let e = h
            .test(&form(&fake, None, Some("wrong-token-456")))
            .unwrap_err();
        assert_eq!(e.field, "siteToken", "{}", e.message);
        assert!(!e.message.contains("wrong-token-456"));
        let mut bad = form(&fake, None, None);
        bad.site_url = "http://acme.example".into();
        assert_eq!(h.test(&bad).unwrap_err().field, "siteUrl");
        bad = form(&fake, None, None);
        bad.org_id = " ".into();
        assert_eq!(h.test(&bad).unwrap_err().field, "orgId");
        // Blank secrets: the stored ones; connected.
        let ok = h.test(&form(&fake, None, None)).unwrap();
        assert_eq!(ok.users, 30);
        assert!(
            !dir.path().join("cloud-connection.json").exists(),
            "a test writes nothing"
        );
    }

    #[test]
    fn a_saved_connection_is_an_owner_only_file_and_is_never_served() {
        let fake = fake_org(20);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("cloud-connection.json");
        let h = holder(&fake, &file);
        // A refused save writes nothing.
        assert!(h.save(&form(&fake, Some("wrong"), None)).is_err());
        assert!(!file.exists());
        let view = h.save(&form(&fake, None, None)).unwrap();
        assert!(view.configured && view.api_key_set && view.site_token_set && view.in_use);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let shown = serde_json::to_string(&view).unwrap();
        assert!(
            !shown.contains("fake-org-api-key") && !shown.contains("fake-site-token"),
            "{shown}"
        );
        // The saved file is what `serve` connects with at its next start.
        let again = super::read_file(&file).unwrap();
        assert_eq!(again.org_id, fake.config().org_id);
        assert!(Connections::same(&again, &fake.config()));
    }
}
