//! The outbox list (issue 24 item 3): what is waiting or has failed, with
//! Retry and Discard.
//!
//! The counts on `GET /api/mail/status` say *that* mail is stuck; this list
//! says *which*: template, recipient, attempts, the last error (already in
//! words and with addresses masked by the delivery loop) and the next
//! attempt. Recipients are masked in the list (`j***@example.test`): the
//! list is shown on a shared screen and most rows need no address to be
//! acted on; opening one message (`GET /api/mail/outbox/{id}`) shows it
//! whole. Retry and Discard change only a queued or failed message (a
//! message a worker holds is refused with 409, never half-changed) and are
//! audited with the message's id and template, never its address.

use serde_json::{Value, json};

use seatwarden_audit::{Action as AuditAction, AuditEntry, Cursor, CursorError, Status, Target};
use seatwarden_core::Millis;

use super::{actor, now, query_num, record_audit, store_err};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::Service;
use crate::store::{MailId, MailStatus, OutboxMessage, OutboxQuery};

/// The statuses the list shows when the request names none: what still
/// needs the admin (waiting, in a worker's hands, or given up).
const OPEN: [MailStatus; 3] = [MailStatus::Queued, MailStatus::Sending, MailStatus::Failed];

fn status_name(s: MailStatus) -> &'static str {
    match s {
        MailStatus::Queued => "queued",
        MailStatus::Sending => "sending",
        MailStatus::Sent => "sent",
        MailStatus::Failed => "failed",
        MailStatus::Discarded => "discarded",
    }
}

fn parse_status(name: &str) -> Option<MailStatus> {
    [
        MailStatus::Queued,
        MailStatus::Sending,
        MailStatus::Sent,
        MailStatus::Failed,
        MailStatus::Discarded,
    ]
    .into_iter()
    .find(|s| status_name(*s) == name)
}

/// `jane.doe@example.test` as `j***@example.test`; anything that is not an
/// address as `***`.
fn mask(address: &str) -> String {
    match address.rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        _ => "***".to_owned(),
    }
}

/// One row of the list: recipients masked, no body.
fn row(m: &OutboxMessage) -> Value {
    json!({
        "id": m.id,
        "template": m.template_id,
        "recipients": m.to.iter().map(|a| mask(a)).collect::<Vec<_>>(),
        "subject": m.subject,
        "status": status_name(m.status),
        "attempts": m.attempts,
        "lastError": m.last_error,
        "createdAt": m.created_at,
        // Queued: when it is due; sending: when the worker's claim lapses.
        "nextAttemptAt": matches!(m.status, MailStatus::Queued | MailStatus::Sending)
            .then_some(m.next_attempt_at),
        "canRetry": m.is_actionable(),
        "canDiscard": m.is_actionable(),
    })
}

/// `GET /api/mail/outbox?status=queued,failed&cursor=…&limit=…`.
pub(super) fn list_outbox(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let statuses = match req.query_param("status").filter(|s| !s.is_empty()) {
        None => OPEN.to_vec(),
        Some(list) => list
            .split(',')
            .map(|name| {
                parse_status(name.trim()).ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "query parameter `status` must list queued, sending, sent, failed or discarded (got `{}`)",
                        name.trim()
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let after = match req.query_param("cursor").filter(|s| !s.is_empty()) {
        Some(c) => Some(
            c.parse::<Cursor>()
                .map_err(|e: CursorError| ApiError::bad_request(e.to_string()))?,
        ),
        None => None,
    };
    let query = OutboxQuery {
        statuses,
        recipient_user: None,
        after,
        limit: query_num(req, "limit", 0)?,
    };
    let page = service.store().list_mail(&query).map_err(store_err)?;
    ApiResponse::json(&json!({
        "messages": page.items.iter().map(row).collect::<Vec<_>>(),
        "next": page.next.map(|c| c.to_string()),
    }))
}

fn mail_id(params: &Params) -> Result<MailId, ApiError> {
    let raw = params.get("id")?;
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .map(MailId)
        .ok_or_else(|| ApiError::bad_request("the message id must be a positive whole number"))
}

/// The message `id`, found by paging the outbox (the Store has no lookup by
/// id; an outbox is at most a few cycles of warnings).
fn find(service: &Service, id: MailId) -> Result<OutboxMessage, ApiError> {
    let mut query = OutboxQuery {
        limit: 1_000,
        ..OutboxQuery::default()
    };
    loop {
        let page = service.store().list_mail(&query).map_err(store_err)?;
        if let Some(m) = page.items.into_iter().find(|m| m.id == id) {
            return Ok(m);
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => return Err(ApiError::not_found(format!("outbox message {id}"))),
        }
    }
}

/// `GET /api/mail/outbox/{id}`: one message whole (the admin opened it).
pub(super) fn get_message(
    service: &Service,
    _: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    let m = find(service, mail_id(params)?)?;
    let username = m
        .recipient_user
        .as_ref()
        .and_then(|k| service.username_of(k));
    let mut answer = row(&m);
    if let Some(fields) = answer.as_object_mut() {
        fields.insert("recipients".into(), json!(m.to));
        fields.insert("bcc".into(), json!(m.bcc));
        fields.insert("user".into(), json!(m.recipient_user));
        fields.insert("userName".into(), json!(username));
        fields.insert("textBody".into(), json!(m.text_body));
    }
    ApiResponse::json(&answer)
}

/// `POST /api/mail/outbox/{id}/retry`.
pub(super) fn retry_message(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    act(service, req, params, Act::Retry)
}

/// `POST /api/mail/outbox/{id}/discard`.
pub(super) fn discard_message(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
) -> Result<ApiResponse, ApiError> {
    act(service, req, params, Act::Discard)
}

#[derive(Clone, Copy)]
enum Act {
    Retry,
    Discard,
}

fn act(
    service: &Service,
    req: &ApiRequest,
    params: &Params,
    what: Act,
) -> Result<ApiResponse, ApiError> {
    let id = mail_id(params)?;
    let at: Millis = now(req);
    let done = match what {
        Act::Retry => service.store().retry_mail(id, at),
        Act::Discard => service.store().discard_mail(id, at),
    }
    .map_err(store_err)?;
    let m = find(service, id)?;
    if !done {
        return Err(ApiError::new(
            ApiErrorKind::Conflict,
            format!(
                "outbox message {id} is {}: only a queued or failed message can be retried or discarded",
                status_name(m.status)
            ),
        ));
    }
    let (action, verb) = match what {
        Act::Retry => (AuditAction::MailRetried, "queued again, due now"),
        Act::Discard => (AuditAction::MailDiscarded, "discarded, never sent"),
    };
    let mut entry = AuditEntry::new(at, actor(service, req), action, Status::Success)
        .with_description(format!(
            "outbox message {id} (template `{}`, {} attempt(s)) {verb}",
            m.template_id, m.attempts
        ));
    if let Some(user) = m.recipient_user.clone() {
        let name = service.username_of(&user);
        entry = entry.with_target(Target::user(user, name));
    }
    record_audit(service, req, vec![entry])?;
    ApiResponse::json(&row(&m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked_to_a_hint() {
        assert_eq!(mask("jane.doe@example.test"), "j***@example.test");
        assert_eq!(mask("not-an-address"), "***");
        assert_eq!(mask("@example.test"), "***");
    }

    #[test]
    fn status_names_round_trip() {
        for s in OPEN {
            assert_eq!(parse_status(status_name(s)), Some(s));
        }
        assert_eq!(parse_status("discarded"), Some(MailStatus::Discarded));
        assert_eq!(parse_status("nope"), None);
    }
}
