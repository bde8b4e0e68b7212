//! The Cloud connection screen's port (issue 20): what the admin API needs
//! from whoever holds the Atlassian Cloud connection, without this crate
//! knowing how Atlassian is spoken to.
//!
//! Why a port: the connector (`seatwarden-cloud`) builds on this crate's
//! `Host`, so this crate cannot call it. The standalone server implements
//! [`CloudConnections`] with the connector and registers it
//! ([`crate::Service::set_cloud_connections`]); the Data Center plugin does
//! not, and the routes then answer 404 ("this server has no Cloud
//! connector").
//!
//! Secrets: the organization API key and the site token come in through
//! [`CloudConnectionForm`] and never go out. [`CloudConnectionView`] says
//! only whether each is set; a blank secret in a form means "keep the stored
//! one", so an admin can change the site URL without retyping the key (the
//! mail password's rule, `docs/mail.md`). [`CloudRefusal`] names the field
//! (credential) and what it lacks, never a value.

use serde::{Deserialize, Serialize};

/// What the connection screen submits (test or save).
#[derive(Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CloudConnectionForm {
    /// The organization's id.
    pub org_id: String,
    /// The organization API key; `None` or blank: the stored one.
    #[serde(default)]
    pub api_key: Option<String>,
    /// The Jira site, `https://your-domain.atlassian.net`.
    pub site_url: String,
    /// The site admin's email.
    pub site_email: String,
    /// The site admin's API token; `None` or blank: the stored one.
    #[serde(default)]
    pub site_token: Option<String>,
}

impl std::fmt::Debug for CloudConnectionForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudConnectionForm")
            .field("org_id", &self.org_id)
            .field("site_url", &self.site_url)
            .finish_non_exhaustive()
    }
}

impl CloudConnectionForm {
    /// A secret as typed: `None` when blank (keep the stored one).
    pub fn typed(secret: &Option<String>) -> Option<&str> {
        secret.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
}

/// "Connected to org X, N users, site Y".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudConnected {
    /// The organization's name.
    pub org_name: String,
    /// Users in the directories the key may manage.
    pub users: u64,
    /// The Jira site.
    pub site_url: String,
    /// Jira application roles read with the site token.
    pub licences: u64,
}

/// The connection as the screen shows it: never a secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CloudConnectionView {
    /// Whether a connection is stored.
    pub configured: bool,
    /// The organization's id (empty when none).
    pub org_id: String,
    /// The Jira site.
    pub site_url: String,
    /// The site admin's email.
    pub site_email: String,
    /// Whether an organization API key is stored.
    pub api_key_set: bool,
    /// Whether a site token is stored.
    pub site_token_set: bool,
    /// Where the secrets are kept and who can read them, in words.
    pub stored_in: String,
    /// Whether this server runs on the stored connection now (a saved
    /// connection is swapped in at once, or when the run in progress ends).
    pub in_use: bool,
    /// The demo's fake organization (`serve --demo --cloud`).
    pub demo: bool,
    /// The last successful check of the connection in use, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<CloudConnected>,
}

/// Why a connection was refused: the form field it is about (`orgId`,
/// `apiKey`, `siteUrl`, `siteEmail`, `siteToken`; empty for the connection
/// as a whole) and a message that names the credential and what it lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudRefusal {
    /// The form field.
    pub field: &'static str,
    /// What is wrong, without any secret.
    pub message: String,
}

/// Holds the Cloud connection: checks, stores and describes it.
pub trait CloudConnections: Send + Sync {
    /// The stored connection (and whether it is in use).
    fn current(&self) -> CloudConnectionView;
    /// Checks every credential of `form` against Atlassian (blank secrets:
    /// the stored ones); writes nothing anywhere.
    fn test(&self, form: &CloudConnectionForm) -> Result<CloudConnected, CloudRefusal>;
    /// Checks `form` like [`Self::test`], then stores it.
    fn save(&self, form: &CloudConnectionForm) -> Result<CloudConnectionView, CloudRefusal>;
    /// The host over the connection [`Self::save`] just stored, when it is
    /// not the one the service runs on (taken once): the save route makes
    /// it the service's host ([`crate::Service::replace_host`]), so a saved
    /// connection is live without a restart. `None` by default (a holder
    /// that cannot build hosts: the connection applies from the next start).
    fn take_saved_host(&self) -> Option<std::sync::Arc<dyn crate::host::Host>> {
        None
    }
}
