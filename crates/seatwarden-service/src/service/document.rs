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

use super::sealed::{self, SecretKey};
use crate::store::ConfigVersion;

/// The field name a sealed SMTP password is bound to (the AEAD's associated
/// data): a sealed value copied to another field does not open there.
const MAIL_PASSWORD_FIELD: &str = "mail.password";

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
    /// The stored document held the SMTP password in plain text (written
    /// before a secret key was configured, or by a host without one): the
    /// next save with a key seals it (see `Service::new`).
    pub plain_password_stored: bool,
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
            plain_password_stored: false,
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
    /// The SMTP password is stored sealed and this process cannot open it.
    /// Never answered as an empty password: mail would silently fail to
    /// authenticate, or an admin's next save would drop the password.
    #[error(
        "the stored SMTP password is encrypted and {reason}; start with the key it was sealed with \
         (SEATWARDEN_SECRET_KEY or the data folder's secret.key), or clear the password with \
         `seatwarden serve --forget-smtp-password` and type it again in Settings"
    )]
    SealedPassword {
        /// What is wrong: no key given, the wrong key, or a damaged value.
        reason: String,
    },
}

impl Settings {
    /// Parses a stored document (`None`: nothing saved yet, the defaults).
    /// `key` opens a sealed SMTP password (see `sealed`); a plain one is
    /// read as it is, with or without a key (the migration path).
    pub fn parse(
        version: ConfigVersion,
        json: Option<&str>,
        key: Option<&SecretKey>,
    ) -> Result<Settings, DocumentError> {
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
        let mut plain_password_stored = false;
        let mail = match stored.mail {
            Some(mut v) => {
                plain_password_stored = open_password(&mut v, key)?;
                serde_json::from_value(v).map_err(|_| {
                    DocumentError::Malformed("the mail settings do not parse".to_owned())
                })?
            }
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
            plain_password_stored,
        })
    }

    /// The document to store; with `key` the SMTP password is sealed
    /// (`passwordSealed`), without one it is kept as it was before issue 18.
    pub fn to_json(&self, key: Option<&SecretKey>) -> String {
        let mail = match &self.mail {
            MailServerChoice::Own(smtp) => serde_json::json!({"source": "own"})
                .as_object()
                .cloned()
                .map(|mut m| {
                    if let serde_json::Value::Object(mut fields) = smtp.to_storage_json() {
                        if let Some(key) = key
                            && let Some(serde_json::Value::String(plain)) =
                                fields.remove("password")
                        {
                            fields.insert(
                                SEALED_KEY.to_owned(),
                                serde_json::Value::String(sealed::seal(
                                    key,
                                    MAIL_PASSWORD_FIELD,
                                    &plain,
                                )),
                            );
                        }
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

/// The stored mail object's member holding the sealed password.
const SEALED_KEY: &str = "passwordSealed";

/// Replaces a sealed password in the stored mail object by its plain text,
/// for the mail crate's parser. Answers whether the password was stored in
/// plain text (to be sealed on the next save with a key).
fn open_password(
    mail: &mut serde_json::Value,
    key: Option<&SecretKey>,
) -> Result<bool, DocumentError> {
    let Some(fields) = mail.as_object_mut() else {
        return Ok(false);
    };
    let Some(sealed_value) = fields.remove(SEALED_KEY) else {
        return Ok(fields.get("password").is_some_and(|p| !p.is_null()));
    };
    let text = sealed_value
        .as_str()
        .ok_or_else(|| DocumentError::Malformed("the sealed SMTP password is not text".into()))?;
    let key = key.ok_or_else(|| DocumentError::SealedPassword {
        reason: "no secret key was given".to_owned(),
    })?;
    let plain = sealed::open(key, MAIL_PASSWORD_FIELD, text).map_err(|e| {
        DocumentError::SealedPassword {
            reason: e.to_string(),
        }
    })?;
    fields.insert("password".to_owned(), serde_json::Value::String(plain));
    Ok(false)
}

/// `json` without the SMTP password, sealed or plain (the recovery of
/// `forget_sealed_password`: the rest of the configuration stays).
pub(crate) fn without_mail_password(json: &str) -> Result<String, DocumentError> {
    let mut stored: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        DocumentError::Malformed(format!("line {}, column {}", e.line(), e.column()))
    })?;
    if let Some(mail) = stored
        .get_mut("mail")
        .and_then(serde_json::Value::as_object_mut)
    {
        mail.remove(SEALED_KEY);
        mail.remove("password");
    }
    Ok(stored.to_string())
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
        let json = settings.to_json(None);
        let back = Settings::parse(ConfigVersion(1), Some(&json), None).unwrap();
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
        let back = Settings::parse(ConfigVersion(1), Some(&saved.to_json(None)), None).unwrap();
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
        let back = Settings::parse(ConfigVersion(1), Some(&off.to_json(None)), None).unwrap();
        assert_eq!(back.templates, off.templates);
    }

    #[test]
    fn an_invalid_engine_config_is_reported_with_paths() {
        let json = r#"{"automation": {"version": 1, "settings": {}, "policies": [{"id": 3}]}}"#;
        let err = Settings::parse(ConfigVersion(1), Some(json), None).unwrap_err();
        match err {
            DocumentError::Config(e) => assert!(!e.issues().is_empty()),
            other => panic!("unexpected {other}"),
        }
    }
}
