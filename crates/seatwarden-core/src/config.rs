//! The configuration document: global settings and the list of policies.
//!
//! One versioned JSON document holds everything an admin configures for
//! automation. It is parsed by walking the JSON tree ourselves (not with
//! serde's derive) so that validation can report **every** problem with its
//! exact path (`policies[2].condition.days: must be ≥ 1`) instead of stopping
//! at the first; an invalid document is rejected whole and nothing of it is
//! used. Older document versions are migrated step by step before parsing
//! (see [`migrate`]).
//!
//! The typed [`Config`] serialises back to the same JSON shape (serde), so a
//! stored document round-trips.

pub mod costs;
mod migrate;
mod parse;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::activity::ActivitySettings;
use crate::model::{ApplicationKey, DirectoryId, GroupName};
use crate::policy::{Policy, PolicyId};
use crate::schedule::TimeOfDay;

pub use migrate::migrate;

/// The configuration document version this build reads and writes.
pub const CONFIG_VERSION: u32 = 1;

/// Which deactivation time wins when the host and our audit trail disagree
/// (delete policies count days since deactivation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeactivationTimeSource {
    /// The later of the two known times (the default): the most recent
    /// deactivation is the one in force, and waiting longer never deletes
    /// anyone early.
    #[default]
    Latest,
    /// The host's time when it reports one, else the audit trail's.
    HostFirst,
    /// The audit trail's time when it has one, else the host's.
    AuditFirst,
}

/// The mass-change guard's thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardSettings {
    /// On by default.
    pub enabled: bool,
    /// Trip when more than this many accounts would be deactivated, deleted
    /// or revoked in one run (default 500).
    pub max_accounts: u32,
    /// Trip when more than this percentage of licensed users would be
    /// affected (default 20)…
    pub max_percent: u32,
    /// …provided more than this many users are licensed (default 100).
    pub min_licensed: u32,
}

impl Default for GuardSettings {
    fn default() -> Self {
        GuardSettings {
            enabled: true,
            max_accounts: 500,
            max_percent: 20,
            min_licensed: 100,
        }
    }
}

/// The login-data health check's thresholds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthSettings {
    /// On by default.
    pub enabled: bool,
    /// Pause when the most recent login anywhere is older than this many
    /// days while active users exist (default 7).
    pub max_days_without_login: u32,
    /// Pause when the share of never-logged-in users among licensed users
    /// rose by more than this many percentage points since the previous
    /// run (default 20).
    pub max_never_logged_in_jump_points: u32,
}

impl Default for HealthSettings {
    fn default() -> Self {
        HealthSettings {
            enabled: true,
            max_days_without_login: 7,
            max_never_logged_in_jump_points: 20,
        }
    }
}

/// A per-application licence-usage threshold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationThreshold {
    /// The application.
    pub application: ApplicationKey,
    /// Alert when usage exceeds this percentage of the seats.
    pub percent: u32,
}

/// Licence-usage alert mails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenceAlertSettings {
    /// Off by default.
    pub enabled: bool,
    /// Alert when usage exceeds this percentage of the seats (default 90).
    pub percent: u32,
    /// Per-application overrides of `percent`.
    #[serde(default)]
    pub applications: Vec<ApplicationThreshold>,
    /// Who receives the alert.
    #[serde(default)]
    pub recipients: Vec<String>,
}

impl Default for LicenceAlertSettings {
    fn default() -> Self {
        LicenceAlertSettings {
            enabled: false,
            percent: 90,
            applications: Vec::new(),
            recipients: Vec::new(),
        }
    }
}

/// Who hears about runs: the "a run waits for approval" mail and the run
/// report go to these addresses (issue 24: a run the guard holds at 02:00
/// must reach somebody). Empty by default; the Settings screen and the
/// dashboard say so while it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminMailSettings {
    /// Admin addresses.
    #[serde(default)]
    pub recipients: Vec<String>,
}

/// Settings that apply to every policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Members of these groups are never touched by any policy.
    pub protected_groups: Vec<GroupName>,
    /// IANA timezone for schedules that name none (default `UTC`).
    pub timezone: String,
    /// Time of the daily scheduler run (default 02:00).
    pub scheduler_at: TimeOfDay,
    /// Mass-change guard.
    pub guard: GuardSettings,
    /// Login-data health check.
    pub health: HealthSettings,
    /// Licence-usage alert.
    pub licence_alert: LicenceAlertSettings,
    /// Run reports and approval requests.
    #[serde(default)]
    pub admin_mail: AdminMailSettings,
    /// Audit entries older than this many days are purged (0 keeps them forever; default 365).
    pub audit_retention_days: u32,
    /// Where the host counts no logins (Confluence), a user whose last login
    /// lies within this many hours of account creation counts as "logged in
    /// once" (default 24).
    pub once_logged_in_window_hours: u32,
    /// Which deactivation time wins for delete policies.
    pub deactivation_time: DeactivationTimeSource,
    /// How access given back at login is verified and confirmed.
    #[serde(default)]
    pub login: LoginSettings,
    /// Which activity signals count (`docs/activity.md`); all by default.
    #[serde(default)]
    pub activity: ActivitySettings,
    /// Seat prices, currency and renewal date (`docs/forecast.md`).
    #[serde(default)]
    pub costs: costs::CostSettings,
}

/// Reactivation at login (`docs/login-reactivation.md`).
///
/// Access given back at login is provisional until the product's own login
/// event for that user arrives within [`LoginSettings::confirm_window_minutes`]:
/// the product checks things after the password that Seatwarden cannot see
/// (two-step verification, CAPTCHA, SSO-only login, authorisation), and only
/// its login event says they all passed. Where Crowd refuses an inactive
/// account before it looks at the password (internal and plain delegated
/// directories), nothing can prove the password without activating the
/// account first (the "probe"); that is allowed only for the directories an
/// admin lists in [`LoginSettings::probe_directories`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginSettings {
    /// How long access given back at login waits for the product's login
    /// event before it is taken back (default 10 minutes).
    pub confirm_window_minutes: u32,
    /// Directories whose deactivated accounts may be probed (activated for the
    /// length of one password check). Empty by default: no probe anywhere.
    pub probe_directories: Vec<DirectoryId>,
}

impl LoginSettings {
    /// The longest confirm window an admin can set (one hour).
    pub const MAX_CONFIRM_WINDOW_MINUTES: u32 = 60;

    /// The confirm window in milliseconds.
    pub fn confirm_window_ms(&self) -> i64 {
        i64::from(self.confirm_window_minutes) * 60_000
    }

    /// Whether deactivated accounts of `directory` may be probed.
    pub fn probes(&self, directory: DirectoryId) -> bool {
        self.probe_directories.contains(&directory)
    }
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings {
            confirm_window_minutes: 10,
            probe_directories: Vec::new(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            protected_groups: Vec::new(),
            timezone: "UTC".to_owned(),
            scheduler_at: TimeOfDay { hour: 2, minute: 0 },
            guard: GuardSettings::default(),
            health: HealthSettings::default(),
            licence_alert: LicenceAlertSettings::default(),
            admin_mail: AdminMailSettings::default(),
            audit_retention_days: 365,
            once_logged_in_window_hours: 24,
            deactivation_time: DeactivationTimeSource::default(),
            login: LoginSettings::default(),
            activity: ActivitySettings::default(),
            costs: costs::CostSettings::default(),
        }
    }
}

/// The whole configuration document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Config {
    /// Always [`CONFIG_VERSION`] once parsed (older documents are migrated).
    pub version: u32,
    /// Global settings.
    pub settings: Settings,
    /// The policies, in the admin's order (ties in priority go to the earlier).
    pub policies: Vec<Policy>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            version: CONFIG_VERSION,
            settings: Settings::default(),
            policies: Vec::new(),
        }
    }
}

/// One problem in a configuration document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigIssue {
    /// Where: `policies[2].condition.days`; empty for the document itself.
    pub path: String,
    /// What is wrong, lowercase, no trailing period.
    pub message: String,
}

impl fmt::Display for ConfigIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Why a configuration document was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// Not JSON at all.
    #[error("the configuration is not valid JSON: {0}")]
    Json(String),
    /// A version this build cannot read.
    #[error("configuration version {found} is not supported (this build reads up to {supported})")]
    UnsupportedVersion {
        /// The document's version.
        found: u64,
        /// [`CONFIG_VERSION`].
        supported: u32,
    },
    /// Every problem found, each with its path.
    #[error("the configuration has {} problem(s): {}", .0.len(), render_issues(.0))]
    Invalid(Vec<ConfigIssue>),
}

fn render_issues(issues: &[ConfigIssue]) -> String {
    issues
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ConfigError {
    /// The individual problems (one for JSON and version errors).
    pub fn issues(&self) -> Vec<ConfigIssue> {
        match self {
            ConfigError::Invalid(issues) => issues.clone(),
            other => vec![ConfigIssue {
                path: String::new(),
                message: other.to_string(),
            }],
        }
    }
}

impl Config {
    /// Parses, migrates and validates a document. Every problem is reported;
    /// any problem rejects the whole document.
    pub fn parse(json: &str) -> Result<Config, ConfigError> {
        // Strict: a repeated key anywhere refuses the document (see
        // `crate::strict_json`); `Value` alone would keep the last one.
        let value: serde_json::Value = crate::strict_json::from_str(json)
            .map_err(|e| ConfigError::Json(crate::json_error::describe(&e)))?;
        Config::from_value(value)
    }

    /// Like [`Config::parse`], from an already-parsed JSON value.
    pub fn from_value(value: serde_json::Value) -> Result<Config, ConfigError> {
        let value = migrate(value)?;
        parse::parse(&value)
    }

    /// The document as JSON (the current version).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The policy with this id.
    pub fn policy(&self, id: &PolicyId) -> Option<&Policy> {
        self.policies.iter().find(|p| &p.id == id)
    }
}
