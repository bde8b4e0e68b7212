//! Global settings and the mail server choice.
//!
//! Both are parts of the one versioned configuration document: a change
//! names the version it read, is validated whole before it is saved, and is
//! audited field by field with old → new values, except secrets (the SMTP
//! password is only ever "changed"). The automation account is part of the
//! settings change, named by key and username, because whose account the
//! automation acts as is a question every compliance review asks.

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use seatwarden_audit::{Action as AuditAction, describe_changes};
use seatwarden_core::UserKey;
use seatwarden_mail::MailServerChoice;

use super::body::{expecting, required, typed, version};
use super::{audit_success, body_object, ensure_current, validation};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::Service;
use crate::store::ConfigVersion;

pub(super) fn get_settings(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.settings();
    ApiResponse::json(&json!({
        "settings": settings.config.settings,
        "automationAccount": settings.automation_account,
        "configVersion": settings.version,
    }))
}

/// `PUT /api/settings`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SettingsBody {
    #[serde(default, deserialize_with = "version")]
    config_version: Option<ConfigVersion>,
    /// The settings document, validated by the engine's configuration
    /// reader (which names each problem's path).
    settings: Value,
    /// Absent keeps the account; `null` or `""` clears it.
    #[serde(default, deserialize_with = "user_key")]
    automation_account: Option<Option<String>>,
}

fn user_key<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    expecting(d, "a user key").map(Some)
}

pub(super) fn replace_settings(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: SettingsBody = typed(req)?;
    let current = service.settings();
    ensure_current(required(body.config_version)?, current.version)?;
    let new_settings = body.settings;
    let mut doc =
        serde_json::to_value(&current.config).map_err(|_| ApiError::internal("config"))?;
    let before = doc.get("settings").cloned().unwrap_or(Value::Null);
    if let Some(slot) = doc.get_mut("settings") {
        *slot = new_settings.clone();
    }
    let config =
        seatwarden_core::config::Config::from_value(doc).map_err(|e| validation(e.issues()))?;
    let mut settings = (*current).clone();
    settings.config = config;
    if let Some(account) = body.automation_account {
        settings.automation_account = account.filter(|k| !k.is_empty()).map(UserKey::from);
    }
    super::check_names(service, &current, &settings, None)?;
    let mut description = describe_changes("settings changed", &before, &new_settings);
    if settings.automation_account != current.automation_account {
        description.push_str(&format!(
            "; automation account: {} → {}",
            account_label(service, current.automation_account.as_ref()),
            account_label(service, settings.automation_account.as_ref())
        ));
    }
    let saved = service.save_settings(settings)?;
    audit_success(service, req, AuditAction::SettingsChanged, description)?;
    ApiResponse::json(&json!({
        "settings": saved.config.settings,
        "automationAccount": saved.automation_account,
        "configVersion": saved.version,
    }))
}

/// Takes the `configVersion` a change must name out of `body` (a missing
/// or malformed one is refused: without it a stale edit would silently
/// overwrite another admin's). `what` is `field` or `query parameter`.
pub(super) fn required_version(
    body: &mut serde_json::Map<String, Value>,
    what: &str,
) -> Result<ConfigVersion, ApiError> {
    match body.remove("configVersion") {
        Some(Value::Number(n)) => n.as_u64().map(ConfigVersion).ok_or_else(|| {
            ApiError::bad_request(format!("{what} `configVersion` must be a whole number"))
        }),
        Some(_) => Err(ApiError::bad_request(format!(
            "{what} `configVersion` must be a number"
        ))),
        None => Err(ApiError::bad_request(format!(
            "missing {what} `configVersion` (the version the change is based on, from the last read)"
        ))),
    }
}

pub(super) fn get_mail_settings(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.settings();
    // `SmtpSettings` serialises `password_set`, never the password.
    ApiResponse::json(&json!({"mail": settings.mail, "configVersion": settings.version}))
}

pub(super) fn replace_mail_settings(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let mut body = body_object(req)?;
    let expected = required_version(&mut body, "field")?;
    let mut choice: MailServerChoice =
        serde_json::from_value(Value::Object(body)).map_err(|e| {
            ApiError::bad_request(format!(
                "invalid mail settings: {}",
                seatwarden_core::json_error::describe(&e)
            ))
        })?;
    let current = service.settings();
    if let (MailServerChoice::Own(new), MailServerChoice::Own(old)) = (&mut choice, &current.mail) {
        new.keep_password_from(old);
        if new.password.is_none() && new.username.is_some() && old.password.is_some() {
            return Err(ApiError::new(
                ApiErrorKind::Validation,
                "the saved password is not kept when the host, port, security or username changes; type it again",
            )
            .with_details(json!({"problems": [{"path": "password",
                "message": "type the password again: the server it would go to changed"}]})));
        }
    }
    if let MailServerChoice::Own(smtp) = &choice {
        seatwarden_mail::SmtpMailer::new(smtp.clone())
            .map_err(|e| ApiError::new(ApiErrorKind::Validation, e.to_string()))?;
    }
    let before = serde_json::to_value(&current.mail).unwrap_or(Value::Null);
    let after = serde_json::to_value(&choice).unwrap_or(Value::Null);
    // The documents show `passwordSet`, not the password: a new password
    // over an old one would otherwise leave no trace.
    let password_changed = match (&current.mail, &choice) {
        (MailServerChoice::Own(old), MailServerChoice::Own(new)) => {
            old.password.is_some() && new.password.is_some() && old.password != new.password
        }
        _ => false,
    };
    let mut description = describe_changes("mail settings changed", &before, &after);
    if password_changed {
        description.push_str("; password changed");
    }
    let mut settings = (*current).clone();
    // The store saves only if the document is still at the version the
    // admin read (409 otherwise): two admins cannot overwrite each other.
    settings.version = expected;
    settings.mail = choice;
    let saved = service.save_settings(settings)?;
    audit_success(service, req, AuditAction::SettingsChanged, description)?;
    ApiResponse::json(&json!({"mail": saved.mail, "configVersion": saved.version}))
}

/// An automation account as the audit log names it: `username (key)`, the
/// key alone when the directory no longer knows it, or `(none)`.
fn account_label(service: &Service, key: Option<&UserKey>) -> String {
    match key {
        None => "(none)".to_owned(),
        Some(key) => match service.username_of(key) {
            Some(name) => format!("{name} ({key})"),
            None => key.to_string(),
        },
    }
}
