//! Mail templates: list (with when each last sent and to how many), create,
//! edit, delete, preview with sample values and a test send.
//!
//! Templates live in the versioned configuration document, so every change
//! is optimistic and audited; the send history comes from the outbox.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};

use seatwarden_audit::{Action as AuditAction, describe_changes};
use seatwarden_core::Millis;
use seatwarden_mail::placeholder::Field;
use seatwarden_mail::{
    DedupKey, Placeholder, PlaceholderError, Template, TemplateError, TemplateErrors, TemplateId,
};

use super::body::{expecting, typed};
use super::{audit_success, body_object, store_err};
use crate::api::wire::{TEMPLATE_BODY_FIELD, TemplateWire};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::{Service, Settings};
use crate::store::{ConfigVersion, MailStatus, OutboxMessage, OutboxQuery};

pub(super) fn list_templates(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.settings();
    let history = send_history(service)?;
    let templates = settings
        .templates
        .iter()
        .map(|t| {
            let mut item = serde_json::to_value(TemplateWire::from(t.clone()))
                .map_err(|_| ApiError::internal("a template could not be serialised"))?;
            let last = history.get(&t.id.0);
            if let Value::Object(map) = &mut item {
                map.insert("lastSent".to_owned(), json!(last.map(|l| l.at)));
                map.insert(
                    "sentCount".to_owned(),
                    json!(last.map_or(0, |l| l.recipients.len())),
                );
            }
            Ok(item)
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    ApiResponse::json(&json!({"templates": templates, "configVersion": settings.version}))
}

/// A template's most recent send: when its last message was delivered and
/// who received a message of that send.
struct LastSend {
    at: Millis,
    send: SendKey,
    recipients: HashSet<String>,
}

/// What makes messages one "send" of a template: a run's mails (welcome
/// mails of one import, one run's report) share the run's cycle; scheduled
/// mails (warnings, licence alerts) share the tick that queued them, whose
/// instant is their creation time.
#[derive(Clone, PartialEq, Eq)]
enum SendKey {
    Cycle(String),
    Queued(Millis),
}

/// The last send of every template that delivered anything, from the
/// outbox's sent messages (the audit log may have been purged or cleared;
/// the outbox keeps what it delivered).
fn send_history(service: &Service) -> Result<HashMap<String, LastSend>, ApiError> {
    let mut query = OutboxQuery {
        statuses: vec![MailStatus::Sent],
        limit: 1_000,
        ..OutboxQuery::default()
    };
    let mut sent = Vec::new();
    loop {
        let page = service.store().list_mail(&query).map_err(store_err)?;
        sent.extend(page.items);
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    let key_of = |m: &OutboxMessage| {
        let cycle = DedupKey(m.dedup_key.clone())
            .parts()
            .map(|(_, _, c)| c.0)
            .unwrap_or_default();
        if cycle.starts_with("run:") {
            SendKey::Cycle(cycle)
        } else {
            SendKey::Queued(m.created_at)
        }
    };
    // A sent message's `next_attempt_at` is the instant it was delivered.
    let mut history: HashMap<String, LastSend> = HashMap::new();
    for m in &sent {
        let at = m.next_attempt_at;
        let newer = history.get(&m.template_id).is_none_or(|l| at > l.at);
        if newer {
            let send = key_of(m);
            let entry = history
                .entry(m.template_id.clone())
                .or_insert_with(|| LastSend {
                    at,
                    send: send.clone(),
                    recipients: HashSet::new(),
                });
            entry.at = at;
            entry.send = send;
        }
    }
    for m in &sent {
        if let Some(last) = history.get_mut(&m.template_id)
            && key_of(m) == last.send
        {
            let who = m
                .recipient_user
                .as_ref()
                .map_or_else(|| m.to.join(","), |u| u.to_string());
            last.recipients.insert(who);
            last.at = last.at.max(m.next_attempt_at);
        }
    }
    Ok(history)
}

fn template_body(req: &ApiRequest) -> Result<(Template, ConfigVersion), ApiError> {
    let mut body = body_object(req)?;
    // Taken out before the template is read; checked after it validated,
    // so a bad template gets its problems first.
    let mut version = serde_json::Map::new();
    if let Some(v) = body.remove("configVersion") {
        version.insert("configVersion".to_owned(), v);
    }
    // A wrong field is named by its path, in words, beside the field
    // ("daysBefore: must be a whole number from 0 to 4294967295", not
    // "invalid value: integer `-5`, expected u32").
    let template: TemplateWire =
        serde_path_to_error::deserialize(Value::Object(body)).map_err(|e| {
            let path = e.path().to_string();
            let words = seatwarden_core::json_error::in_words(e.inner());
            ApiError::new(
                ApiErrorKind::Validation,
                format!("invalid template: {path}: {words}"),
            )
            .with_details(json!({"problems": [{"path": path, "message": words}]}))
        })?;
    let template = Template::from(template);
    template
        .validate()
        .map_err(|errors| invalid_template(&errors, TEMPLATE_BODY_FIELD))?;
    let expected = super::settings::required_version(&mut version, "field")?;
    Ok((template, expected))
}

/// A template's problems in the one validation shape:
/// `details.problems: [{path, message}]`, each path naming the request's
/// field (`body_field` is the body's name in that request: `htmlBody`
/// when saving a template, `body` when previewing), a BCC entry by its
/// index (`bcc[2]`), and placeholder problems with their `line` and
/// `column` too.
fn invalid_template(errors: &TemplateErrors, body_field: &str) -> ApiError {
    let field = |f: Field| match f {
        Field::Subject => "subject".to_owned(),
        Field::Body => body_field.to_owned(),
    };
    let problems: Vec<Value> = errors
        .errors
        .iter()
        .map(|e| match e {
            TemplateError::Placeholder(p) => {
                let at = match p {
                    PlaceholderError::Unknown { at, .. }
                    | PlaceholderError::NotAvailable { at, .. }
                    | PlaceholderError::Unclosed { at } => at,
                };
                json!({"path": field(at.field), "message": p.to_string(),
                       "line": at.line, "column": at.column})
            }
            TemplateError::Empty { field: name } => {
                let path = if name == "body" {
                    body_field.to_owned()
                } else {
                    name.clone()
                };
                json!({"path": path, "message": "must not be empty"})
            }
            TemplateError::MultilineSubject => {
                json!({"path": "subject", "message": "must be a single line"})
            }
            TemplateError::SubjectTooLong { .. } => {
                json!({"path": "subject", "message": e.to_string()})
            }
            TemplateError::BadBcc { index } => json!({
                "path": format!("bcc[{}]", index.saturating_sub(1)),
                "message": format!("entry {index} is not a valid email address"),
            }),
            TemplateError::Timing { .. } => json!({"path": "timing", "message": e.to_string()}),
        })
        .collect();
    ApiError::new(ApiErrorKind::Validation, errors.to_string())
        .with_details(json!({"problems": problems}))
}

fn save_templates(
    service: &Service,
    req: &ApiRequest,
    settings: Settings,
    description: String,
) -> Result<(), ApiError> {
    service.save_settings(settings)?;
    audit_success(service, req, AuditAction::SettingsChanged, description)
}

pub(super) fn create_template(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let (template, expected) = template_body(req)?;
    let current = service.settings();
    if current.templates.iter().any(|t| t.id == template.id) {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!("a template with id `{}` exists already", template.id),
        ));
    }
    let mut settings = (*current).clone();
    settings.version = expected;
    settings.templates.push(template.clone());
    save_templates(
        service,
        req,
        settings,
        format!("template `{}` created", template.id),
    )?;
    ApiResponse::json_status(201, &TemplateWire::from(template))
}

pub(super) fn get_template(
    service: &Service,
    _: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let settings = service.settings();
    let t = settings
        .templates
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("template `{id}`")))?;
    ApiResponse::json(&TemplateWire::from(t.clone()))
}

pub(super) fn replace_template(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let (template, expected) = template_body(req)?;
    if template.id != id {
        return Err(ApiError::bad_request(
            "field `id` must match the template in the path",
        ));
    }
    let current = service.settings();
    let mut settings = (*current).clone();
    settings.version = expected;
    let slot = settings
        .templates
        .iter_mut()
        .find(|t| t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("template `{id}`")))?;
    // Changed fields are named as the request named them.
    let before = serde_json::to_value(TemplateWire::from(slot.clone())).unwrap_or(Value::Null);
    *slot = template.clone();
    let after = serde_json::to_value(TemplateWire::from(template.clone())).unwrap_or(Value::Null);
    let description = describe_changes(&format!("template `{id}` changed"), &before, &after);
    save_templates(service, req, settings, description)?;
    ApiResponse::json(&TemplateWire::from(template))
}

pub(super) fn delete_template(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let mut version = serde_json::Map::new();
    if let Some(v) = req.query_param("configVersion") {
        let n: u64 = v.parse().map_err(|_| {
            ApiError::bad_request("query parameter `configVersion` must be a whole number")
        })?;
        version.insert("configVersion".to_owned(), json!(n));
    }
    let expected = super::settings::required_version(&mut version, "query parameter")?;
    let current = service.settings();
    if !current.templates.iter().any(|t| t.id == id) {
        return Err(ApiError::not_found(format!("template `{id}`")));
    }
    if current
        .config
        .policies
        .iter()
        .any(|p| p.warning.as_ref().and_then(|w| w.template.as_deref()) == Some(id.0.as_str()))
    {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!("template `{id}` is used by a policy's warning"),
        ));
    }
    let digest = seatwarden_mail::TemplateKind::ReviewDigest;
    let last_digest = current
        .templates
        .iter()
        .filter(|t| t.kind == digest)
        .all(|t| t.id == id)
        && current
            .templates
            .iter()
            .any(|t| t.id == id && t.kind == digest);
    if last_digest
        && current
            .config
            .policies
            .iter()
            .any(|p| p.review.as_ref().is_some_and(|r| !r.reviewers.is_empty()))
    {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!(
                "template `{id}` is the review digest of policies with reviewers; switch it off instead"
            ),
        ));
    }
    let mut settings = (*current).clone();
    settings.version = expected;
    settings.templates.retain(|t| t.id != id);
    save_templates(service, req, settings, format!("template `{id}` deleted"))?;
    ApiResponse::json(&json!({"deleted": id}))
}

/// `POST /api/templates/preview`: a draft, rendered with sample values.
#[derive(Debug, Deserialize)]
struct PreviewBody {
    subject: String,
    body: String,
    /// Absent is a warning template; `null` or an unknown kind is refused.
    #[serde(default, deserialize_with = "template_kind")]
    kind: Option<seatwarden_mail::TemplateKind>,
    /// The warning rule's "days before the action" of the policy the
    /// preview is for (issue 24: the policy is the one home of those days;
    /// a template only words the mail). Given, the action date is that many
    /// days from now and `{{days_until_action}}` is the number itself.
    #[serde(default, rename = "daysBefore")]
    days_before: Option<u32>,
}

/// The most days a preview accepts (a hundred years): a policy's warning
/// days are fewer than its condition's days, which are far fewer.
const PREVIEW_DAYS_MAX: u32 = 36_500;

fn template_kind<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<seatwarden_mail::TemplateKind>, D::Error> {
    expecting(d, "a template kind").map(Some)
}

/// `POST /api/templates/{id}/test`: where to send the test mail.
#[derive(Debug, Deserialize)]
struct TestBody {
    to: String,
}

pub(super) fn preview_template(
    _: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: PreviewBody = typed(req)?;
    let kind = body.kind.unwrap_or(seatwarden_mail::TemplateKind::Warning);
    let (subject, html) = (body.subject, body.body);
    let mut template = Template::default_for(kind);
    template.subject = subject;
    template.html_body = html;
    let mut values = seatwarden_mail::Values::samples();
    if let Some(days) = body.days_before {
        if days > PREVIEW_DAYS_MAX {
            let message =
                format!("must be a whole number from 0 to {PREVIEW_DAYS_MAX}, not {days}");
            return Err(ApiError::new(
                ApiErrorKind::Validation,
                format!("field `daysBefore` {message}"),
            )
            .with_details(json!({"problems": [{"path": "daysBefore", "message": message}]})));
        }
        let now = super::now(req);
        values.set(Placeholder::ActionDate, now.plus_days(days).date_string());
        values.set(Placeholder::DaysUntilAction, days.to_string());
    }
    let preview = seatwarden_mail::preview_with(&template, &values)
        .map_err(|errors| invalid_template(&errors, "body"))?;
    let mut notice = preview.notice;
    if let Some(days) = body.days_before {
        notice.push_str(&format!(
            " The action date and the days left are the policy's: its warning goes out {days} days before its action."
        ));
    }
    ApiResponse::json(&json!({
        "subject": preview.rendered.subject,
        "html": preview.rendered.html,
        "text": preview.rendered.text,
        "substituted": preview.samples.iter().map(|(p, v)| json!({"placeholder": p.to_string(), "sample": v})).collect::<Vec<_>>(),
        "notice": notice,
    }))
}

pub(super) fn test_template(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let id = TemplateId(params.get("id")?.to_owned());
    let TestBody { to } = typed(req)?;
    // Checked before anything else, so nothing is rendered or sent for an
    // address the transport would refuse; the field error says so in words.
    let to = to.trim().to_owned();
    if !seatwarden_mail::is_address(&to) {
        let message = if to.is_empty() {
            "enter the address to send the test to".to_owned()
        } else {
            "is not an email address (write it as name@example.com)".to_owned()
        };
        return Err(
            ApiError::new(ApiErrorKind::Validation, format!("field `to` {message}"))
                .with_details(json!({"problems": [{"path": "to", "message": message}]})),
        );
    }
    let settings = service.settings();
    let Some(template) = settings.templates.iter().find(|t| t.id == id) else {
        return Err(ApiError::not_found(format!("template `{id}`")));
    };
    // The template itself, rendered with the same sample values the preview
    // shows, so the admin sees what recipients will get.
    let preview =
        seatwarden_mail::preview(template).map_err(|errors| invalid_template(&errors, "body"))?;
    let subject = format!("[Test] {}", preview.rendered.subject);
    let mailer = seatwarden_mail::Mailer::from_choice(
        &settings.mail,
        &seatwarden_mail::ProductMail::default(),
    )
    .map_err(|e| ApiError::new(ApiErrorKind::Validation, e.to_string()))?;
    match mailer {
        seatwarden_mail::Mailer::Smtp(m) => {
            match m.send_one(
                &to,
                &subject,
                &preview.rendered.html,
                &preview.rendered.text,
            ) {
                Ok(reply) => ApiResponse::json(&json!({"ok": true, "reply": reply.to_string()})),
                Err(e) => ApiResponse::json(&json!({"ok": false, "reply": e.to_string()})),
            }
        }
        // No server to send through is the configuration's state, not a
        // server fault: 409 with the reason (a 503 read as an outage, and
        // schemathesis counted it as a server error).
        seatwarden_mail::Mailer::Unavailable(why) => {
            Err(ApiError::new(ApiErrorKind::Conflict, why.to_string()))
        }
    }
}
