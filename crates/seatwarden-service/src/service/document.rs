//! The service's configuration document, as the Store keeps it.
//!
//! The Store holds one opaque JSON document under optimistic concurrency.
//! The service puts three things in it: the engine's configuration
//! (settings and policies, validated by `seatwarden_core::config`), the mail
//! templates and the mail server choice, plus a little bookkeeping the
//! scheduler needs (when each policy was saved, which anchors its first due
//! time). Keeping them in one document means one version number guards all
//! of an admin's configuration, and a saved change is all-or-nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use seatwarden_core::config::{Config, ConfigError};
use seatwarden_core::{Millis, UserKey};
use seatwarden_mail::{MailServerChoice, Template};

use crate::store::ConfigVersion;

/// The document as stored (JSON).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    /// The engine's configuration document.
    #[serde(default)]
    automation: Option<serde_json::Value>,
    /// Mail templates.
    #[serde(default)]
    templates: Option<Vec<Template>>,
    /// The mail server choice (the password kept in storage form).
    #[serde(default)]
    mail: Option<serde_json::Value>,
    /// The account automation acts as.
    #[serde(default)]
    automation_account: Option<UserKey>,
    /// When each policy was created or last changed (anchors its schedule).
    #[serde(default)]
    saved_at: BTreeMap<String, Millis>,
    /// The never-logged-in share the last health check saw (basis points).
    #[serde(default)]
    never_logged_in_bp: Option<u32>,
}

/// The parsed configuration the service runs with.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The version to name when saving a change based on this.
    pub version: ConfigVersion,
    /// Settings and policies.
    pub config: Config,
    /// Mail templates (the mail crate's defaults until an admin saves any).
    pub templates: Vec<Template>,
    /// Which mail server is used.
    pub mail: MailServerChoice,
    /// The admin account automation acts as (always protected).
    pub automation_account: Option<UserKey>,
    /// When each policy was saved.
    pub saved_at: BTreeMap<String, Millis>,
    /// The never-logged-in share the last health check saw.
    pub never_logged_in_bp: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            version: ConfigVersion::NONE,
            config: Config::default(),
            templates: Template::defaults(),
            mail: MailServerChoice::default(),
            automation_account: None,
            saved_at: BTreeMap::new(),
            never_logged_in_bp: None,
        }
    }
}

/// Why a stored document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The outer document is not the service's shape.
    #[error("the stored configuration is malformed: {0}")]
    Malformed(String),
    /// The engine configuration inside it is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
}

impl Settings {
    /// Parses a stored document (`None`: nothing saved yet, the defaults).
    pub fn parse(version: ConfigVersion, json: Option<&str>) -> Result<Settings, DocumentError> {
        let Some(json) = json else {
            return Ok(Settings::default());
        };
        let stored: Stored = serde_json::from_str(json).map_err(|e| {
            DocumentError::Malformed(format!("line {}, column {}", e.line(), e.column()))
        })?;
        let config = match stored.automation {
            Some(v) => Config::from_value(v)?,
            None => Config::default(),
        };
        let mail = match stored.mail {
            Some(v) => serde_json::from_value(v).map_err(|_| {
                DocumentError::Malformed("the mail settings do not parse".to_owned())
            })?,
            None => MailServerChoice::default(),
        };
        Ok(Settings {
            version,
            config,
            templates: stored
                .templates
                .map_or_else(Template::defaults, with_new_kinds),
            mail,
            automation_account: stored.automation_account,
            saved_at: stored.saved_at,
            never_logged_in_bp: stored.never_logged_in_bp,
        })
    }

    /// The document to store.
    pub fn to_json(&self) -> String {
        let mail = match &self.mail {
            MailServerChoice::Own(smtp) => serde_json::json!({"source": "own"})
                .as_object()
                .cloned()
                .map(|mut m| {
                    if let serde_json::Value::Object(fields) = smtp.to_storage_json() {
                        m.extend(fields);
                    }
                    serde_json::Value::Object(m)
                }),
            other => serde_json::to_value(other).ok(),
        };
        let stored = Stored {
            automation: serde_json::to_value(&self.config).ok(),
            templates: Some(self.templates.clone()),
            mail,
            automation_account: self.automation_account.clone(),
            saved_at: self.saved_at.clone(),
            never_logged_in_bp: self.never_logged_in_bp,
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }
}

/// Saved templates plus a default review digest when they have none: the
/// digest kind came after installs had saved their list, and a kind with no
/// template can neither be sent nor edited on the templates screen. Only
/// this kind: a template of an older kind missing from the list was deleted
/// by an admin and stays deleted (deleting the last digest template while a
/// policy names reviewers is refused, so this never undoes a wanted delete).
fn with_new_kinds(mut templates: Vec<Template>) -> Vec<Template> {
    // The "access removed" notice (issue 21) came later still, by the same
    // reasoning.
    for kind in [
        seatwarden_mail::TemplateKind::ReviewDigest,
        seatwarden_mail::TemplateKind::AccessRemoved,
    ] {
        if !templates.iter().any(|t| t.kind == kind) {
            templates.push(Template::default_for(kind));
        }
    }
    templates
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_round_trip_through_the_document() {
        let settings = Settings::default();
        let json = settings.to_json();
        let back = Settings::parse(ConfigVersion(1), Some(&json)).unwrap();
        assert_eq!(back.config, settings.config);
        assert_eq!(back.templates, settings.templates);
        assert_eq!(back.mail, settings.mail);
    }

    #[test]
    fn a_list_saved_before_the_digest_gets_its_default_and_keeps_the_rest() {
        use seatwarden_mail::TemplateKind;
        let mut saved = Settings::default();
        saved
            .templates
            .retain(|t| !matches!(t.kind, TemplateKind::ReviewDigest | TemplateKind::Warning));
        let back = Settings::parse(ConfigVersion(1), Some(&saved.to_json())).unwrap();
        let kinds: Vec<TemplateKind> = back.templates.iter().map(|t| t.kind).collect();
        assert!(kinds.contains(&TemplateKind::ReviewDigest), "{kinds:?}");
        assert!(
            !kinds.contains(&TemplateKind::Warning),
            "a deleted kind stays deleted"
        );

        // An admin's switched-off digest stays as saved.
        let mut off = Settings::default();
        for t in &mut off.templates {
            if t.kind == TemplateKind::ReviewDigest {
                t.enabled = false;
            }
        }
        let back = Settings::parse(ConfigVersion(1), Some(&off.to_json())).unwrap();
        assert_eq!(back.templates, off.templates);
    }

    #[test]
    fn an_invalid_engine_config_is_reported_with_paths() {
        let json = r#"{"automation": {"version": 1, "settings": {}, "policies": [{"id": 3}]}}"#;
        let err = Settings::parse(ConfigVersion(1), Some(json)).unwrap_err();
        match err {
            DocumentError::Config(e) => assert!(!e.issues().is_empty()),
            other => panic!("unexpected {other}"),
        }
    }
}
