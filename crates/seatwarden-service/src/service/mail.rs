//! Mail: warnings and licence alerts into the Store's outbox, and delivery
//! out of it.
//!
//! The mail crate owns templates, rendering, de-duplication keys and the
//! delivery loop over its [`OutboxPort`]; the Store owns the durable outbox.
//! [`StoreOutbox`] adapts one to the other, so the delivery loop (claims,
//! retries, backoff) is the mail crate's and the guarantees (one claim per
//! message across nodes, one message per de-duplication key) are the
//! Store's. Queuing is one cheap store write per message; no request and no
//! login ever waits for SMTP.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use seatwarden_audit::{Action as AuditAction, Actor, AuditEntry, Status, Target};
use seatwarden_core::evaluate::EvalContext;
use seatwarden_core::licence_alert::licence_alerts;
use seatwarden_core::policy::Action;
use seatwarden_core::warning::{Warned, due_warnings};
use seatwarden_core::{Millis, UserKey};
use seatwarden_mail::{
    Cycle, DedupKey, DeliveryError, DeliveryOutcome, Enqueued, MailTransport, MessageId,
    NewMessage, OutboxError, OutboxMessage, OutboxPort, OutboxStatus, Outgoing, Placeholder,
    Recipient, SmtpReply, TemplateId, TemplateKind, Values, compose,
};

use super::{Service, ServiceError};
use crate::store::{MailId, MailStatus, NewOutboxMessage, OutboxQuery, Store};

/// What one [`Service::deliver_mail`] call did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailReport {
    /// Messages the server accepted.
    pub sent: u64,
    /// Messages that failed this time (to be retried or given up).
    pub failed: u64,
    /// Why nothing was sent, when delivery is off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<String>,
}

/// The Store's outbox as the mail crate's [`OutboxPort`].
pub struct StoreOutbox<'a> {
    store: &'a dyn Store,
    now: Millis,
}

impl<'a> StoreOutbox<'a> {
    /// An adapter over `store` for calls made at `now`.
    pub fn new(store: &'a dyn Store, now: Millis) -> StoreOutbox<'a> {
        StoreOutbox { store, now }
    }
}

fn store_error(e: crate::store::StoreError) -> OutboxError {
    OutboxError::Store(e.to_string())
}

impl OutboxPort for StoreOutbox<'_> {
    fn enqueue(&self, m: NewMessage) -> Result<Enqueued, OutboxError> {
        let queued = self
            .store
            .enqueue_mail(&NewOutboxMessage {
                dedup_key: m.dedup_key.0,
                template_id: m.template_id.0,
                recipient_user: Some(m.recipient),
                to: vec![m.to],
                bcc: m.bcc,
                subject: m.subject,
                html_body: m.html_body,
                text_body: m.text_body,
                created_at: m.created_at,
            })
            .map_err(store_error)?;
        let id = MessageId(u64::try_from(queued.id.0).unwrap_or(0));
        Ok(if queued.new {
            Enqueued::Queued(id)
        } else {
            Enqueued::Duplicate(id)
        })
    }

    fn claim_due(
        &self,
        now: Millis,
        lease_until: Millis,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, OutboxError> {
        let claim = Duration::from_millis(u64::try_from(lease_until.0 - now.0).unwrap_or(60_000));
        let claimed = self
            .store
            .claim_due_mail(now, u32::try_from(limit).unwrap_or(u32::MAX), claim)
            .map_err(store_error)?;
        Ok(claimed
            .into_iter()
            .map(|m| {
                let dedup = DedupKey(m.dedup_key);
                let cycle = dedup.parts().map_or_else(Cycle::once, |(_, _, c)| c);
                OutboxMessage {
                    id: MessageId(u64::try_from(m.id.0).unwrap_or(0)),
                    dedup_key: dedup,
                    template_id: TemplateId(m.template_id),
                    cycle,
                    recipient: m.recipient_user.unwrap_or_else(|| UserKey::from("")),
                    to: m.to.join(", "),
                    bcc: m.bcc,
                    subject: m.subject,
                    html_body: m.html_body,
                    text_body: m.text_body,
                    created_at: m.created_at,
                    status: match m.status {
                        MailStatus::Queued => OutboxStatus::Queued,
                        MailStatus::Sending => OutboxStatus::Sending,
                        MailStatus::Sent => OutboxStatus::Sent,
                        // The delivery loop never claims a discarded message;
                        // to it, a discarded message has failed for good.
                        MailStatus::Failed | MailStatus::Discarded => OutboxStatus::Failed,
                    },
                    attempts: m.attempts,
                    next_attempt_at: m.next_attempt_at,
                    last_error: m.last_error,
                }
            })
            .collect())
    }

    fn mark_sent(&self, id: MessageId, at: Millis) -> Result<(), OutboxError> {
        self.store
            .mark_mail_sent(MailId(i64::try_from(id.0).unwrap_or(0)), at)
            .map_err(store_error)
    }

    fn mark_failed(
        &self,
        id: MessageId,
        error: &str,
        retry_at: Option<Millis>,
    ) -> Result<(), OutboxError> {
        self.store
            .mark_mail_failed(
                MailId(i64::try_from(id.0).unwrap_or(0)),
                self.now,
                error,
                retry_at,
            )
            .map_err(store_error)
    }
}

/// A `dyn` transport as the mail crate's sized one.
struct Transport<'a>(&'a dyn MailTransport);

impl MailTransport for Transport<'_> {
    fn send(&self, mail: &Outgoing<'_>) -> Result<SmtpReply, DeliveryError> {
        self.0.send(mail)
    }

    fn disabled_reason(&self) -> Option<String> {
        self.0.disabled_reason()
    }
}

pub(super) fn deliver(
    service: &Service,
    transport: &dyn MailTransport,
    now: Millis,
    batch: usize,
) -> Result<MailReport, ServiceError> {
    let outbox = StoreOutbox::new(service.store(), now);
    let report = seatwarden_mail::deliver_due(&outbox, &Transport(transport), now, batch)?;
    // Each delivery is audited: sent, or failed (a retry is a failure too;
    // the entry names the template, never the address).
    let entries: Vec<AuditEntry> = report
        .records
        .iter()
        .map(|r| {
            let (action, status, detail) = match &r.outcome {
                DeliveryOutcome::Sent { .. } => {
                    (AuditAction::MailSent, Status::Success, String::new())
                }
                DeliveryOutcome::Retry { error, .. } => (
                    AuditAction::MailFailed,
                    Status::Failed,
                    format!(" (will retry): {error}"),
                ),
                DeliveryOutcome::Failed { error } => (
                    AuditAction::MailFailed,
                    Status::Failed,
                    format!(": {error}"),
                ),
            };
            AuditEntry::new(r.at, Actor::system(), action, status)
                .with_target(Target::user(r.recipient.clone(), None))
                .with_description(format!(
                    "mail `{}` attempt {}{detail}",
                    r.template_id, r.attempt
                ))
        })
        .collect();
    if !entries.is_empty() {
        service.store().append_audit(&entries)?;
    }
    Ok(MailReport {
        sent: report.sent() as u64,
        failed: report.failed() as u64,
        disabled: report.disabled,
    })
}

/// What a warning says the policy will do, as the end of "we will …": the
/// template's preview sample reads "deactivate your account", and the real
/// message must read the same way (issue 24: it said "we will deactivate."
/// and "we will remove_groups.").
pub(crate) fn action_words(action: &Action) -> String {
    fn list(groups: &[seatwarden_core::GroupName]) -> String {
        groups
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
    match action {
        Action::Deactivate { .. } => "deactivate your account".to_owned(),
        Action::Delete => "delete your account".to_owned(),
        Action::Suspend => "suspend your access".to_owned(),
        Action::Restore => "restore your access".to_owned(),
        Action::RemoveGroups { groups } => format!("remove you from {}", list(groups)),
        Action::RemoveLicenceGroups { .. } => "remove your product licence".to_owned(),
        Action::AddGroups { groups } => format!("add you to {}", list(groups)),
        Action::FloatingLicence { .. } | Action::Reactivate { .. } => {
            "change your account".to_owned()
        }
    }
}

/// The warnings in the outbox, by user and idle cycle, with their delivery
/// time: what the engine needs to warn each user once per cycle and to act
/// only on users warned long enough ago (`seatwarden_core::warning`).
/// Read only when a policy to evaluate has a warning.
pub(crate) fn warned(service: &Service) -> Result<Vec<Warned>, ServiceError> {
    let settings = service.settings();
    if settings.config.policies.iter().all(|p| p.warning.is_none()) {
        return Ok(Vec::new());
    }
    let warning_templates: Vec<&str> = settings
        .templates
        .iter()
        .filter(|t| t.kind == TemplateKind::Warning)
        .map(|t| t.id.0.as_str())
        .collect();
    let mut query = OutboxQuery {
        limit: 1_000,
        ..OutboxQuery::default()
    };
    let mut out = Vec::new();
    loop {
        let page = service.store().list_mail(&query)?;
        for m in &page.items {
            if !warning_templates.contains(&m.template_id.as_str()) {
                continue;
            }
            // The warning cycle is `<policy>/<cycle start ms>`.
            let Some((user, _, cycle)) = DedupKey(m.dedup_key.clone()).parts() else {
                continue;
            };
            let Some(cycle) = cycle
                .0
                .rsplit_once('/')
                .and_then(|(_, ms)| ms.parse::<i64>().ok())
            else {
                continue;
            };
            out.push(Warned {
                user,
                cycle: Millis(cycle),
                sent_at: (m.status == MailStatus::Sent).then_some(m.next_attempt_at),
            });
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    Ok(out)
}

/// Queues the warnings and licence alerts due at `now`; returns how many
/// new messages were queued (duplicates of earlier ticks are not counted).
pub(super) fn queue_due(service: &Service, now: Millis) -> Result<u64, ServiceError> {
    let settings = service.settings();
    let live: Vec<_> = settings
        .config
        .policies
        .iter()
        .filter(|p| p.enabled && p.mode.writes() && p.warning.is_some() && !p.action.is_login())
        .map(|p| p.id.clone())
        .collect();
    let alerts_on = settings.config.settings.licence_alert.enabled;
    if live.is_empty() && !alerts_on {
        return Ok(0);
    }
    service.ensure_index()?;
    let (warned, exemptions) = if live.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        (warned(service)?, service.store().list_exemptions()?)
    };
    let options = service.options();
    let mut messages = Vec::new();
    {
        service.flush_logins();
        let slot = service.index.read();
        let Some(index) = slot.index.as_ref() else {
            return Ok(0);
        };
        if !live.is_empty() {
            let ctx = EvalContext {
                acting_admin: settings.automation_account.clone(),
                only: Some(live),
                warned,
                // Exempt users are not warned: nothing will happen to them.
                exemptions: exemptions.clone(),
                ..EvalContext::default()
            };
            // Read once, when the first warning offers a link.
            let mut link_secret: Option<Option<String>> = None;
            for due in due_warnings(&settings.config, index, now, &ctx) {
                let template = settings.templates.iter().find(|t| match &due.template {
                    Some(id) => t.id.0 == *id,
                    None => t.kind == TemplateKind::Warning && t.enabled,
                });
                let (Some(template), Some(idx)) = (template, index.index_of_key(&due.user)) else {
                    continue;
                };
                let Some(view) = index.user(idx) else {
                    continue;
                };
                let user = view.to_user();
                let words = settings.config.policy(&due.policy).map_or_else(
                    || "change your account".to_owned(),
                    |p| action_words(&p.action),
                );
                let mut values = Values::new()
                    .instance(&options.instance_name, &options.base_url)
                    .user(&user, now)
                    .action(&words, due.acts_at, now);
                // The "I still need access" link, when the policy offers one
                // (issue 21): signed for this user, policy and idle cycle.
                let offered = settings
                    .config
                    .policy(&due.policy)
                    .and_then(|p| p.warning.as_ref())
                    .and_then(|w| w.access_request.as_ref());
                let mut with_link = None;
                if let Some(offered) = offered
                    && let Some(secret) = link_secret
                        .get_or_insert_with(|| crate::access::link_secret(service, now))
                        .as_deref()
                {
                    let url = crate::access::link_for(
                        service,
                        secret,
                        &due.user,
                        &due.policy,
                        offered,
                        due.cycle,
                        now,
                    );
                    values = values.with(Placeholder::RequestAccessUrl, url);
                    with_link = crate::access::with_link_paragraph(template);
                }
                let template = with_link.as_ref().unwrap_or(template);
                let recipient = Recipient {
                    key: due.user.clone(),
                    email: user.email.clone(),
                };
                let cycle = Cycle(format!("{}/{}", due.policy, due.cycle.0));
                if let Ok(m) = compose(template, &recipient, &values, cycle, now) {
                    messages.push(m);
                }
            }
        }
        if alerts_on {
            let alert_settings = &settings.config.settings.licence_alert;
            let template = settings
                .templates
                .iter()
                .find(|t| t.kind == TemplateKind::LicenceAlert && t.enabled);
            for alert in licence_alerts(alert_settings, index, now) {
                let Some(template) = template else { break };
                for to in &alert_settings.recipients {
                    let values = Values::new()
                        .instance(&options.instance_name, &options.base_url)
                        .with(Placeholder::Application, alert.name.clone())
                        .with(Placeholder::SeatsUsed, alert.used.to_string())
                        .with(Placeholder::SeatLimit, alert.limit.to_string());
                    let recipient = Recipient {
                        key: UserKey::from(format!("alert:{to}").as_str()),
                        email: to.clone(),
                    };
                    let cycle = Cycle(alert.dedup_key.clone());
                    if let Ok(m) = compose(template, &recipient, &values, cycle, now) {
                        messages.push(m);
                    }
                }
            }
        }
    }
    let outbox = StoreOutbox::new(service.store(), now);
    let mut queued = 0;
    for m in messages {
        if let Ok(Enqueued::Queued(_)) = outbox.enqueue(m) {
            queued += 1;
        }
    }
    Ok(queued)
}
