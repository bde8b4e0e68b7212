//! The outbox: messages waiting to be delivered, and the port to where they live.
//!
//! Why an outbox: a login, a plan or an admin request must never wait for an
//! SMTP server. They only *enqueue* (one cheap store write, de-duplicated);
//! a worker the host owns calls [`crate::delivery::deliver_due`] to send what
//! is due. The outbox is durable (in the host's store) so a restart or a
//! failover to another cluster node loses nothing.
//!
//! This crate cannot depend on the service crate (the dependency goes the
//! other way), so it defines the small [`OutboxPort`] the store implements,
//! and [`MemoryOutbox`] for tests and the standalone host.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use seatwarden_core::{Millis, UserKey};

use crate::render::{Rendered, Values, render};
use crate::template::{Template, TemplateErrors, TemplateId};

/// An outbox message's identifier (assigned by the outbox).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub u64);

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which occurrence of a template a message belongs to.
///
/// The de-duplication key is (user, template, cycle): a user gets one warning
/// per planned action date, one welcome per account, one licence alert per
/// day, one report per run, however often the tick or import runs.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cycle(pub String);

impl Cycle {
    /// A warning about an action planned for the day of `at`.
    pub fn action_day(at: Millis) -> Cycle {
        Cycle(format!("action:{}", at.date_string()))
    }

    /// Once per UTC day (licence alerts).
    pub fn day(now: Millis) -> Cycle {
        Cycle(format!("day:{}", now.date_string()))
    }

    /// Once per run (reports, approvals).
    pub fn run(run_id: &str) -> Cycle {
        Cycle(format!("run:{run_id}"))
    }

    /// Once ever (welcome and password-reset mails for an account).
    pub fn once() -> Cycle {
        Cycle("once".to_owned())
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The de-duplication key: one message per (user, template, cycle).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DedupKey(pub String);

impl DedupKey {
    /// The key for `user`, `template` and `cycle`.
    ///
    /// Parts are length-prefixed so no choice of ids can make two different
    /// triples collide.
    pub fn new(user: &UserKey, template: &TemplateId, cycle: &Cycle) -> DedupKey {
        let (u, t, c) = (user.as_str(), template.0.as_str(), cycle.0.as_str());
        DedupKey(format!("{}:{u}|{}:{t}|{}:{c}", u.len(), t.len(), c.len()))
    }

    /// The (user, template, cycle) a key was made from, for stores that keep
    /// only the key; `None` for a key not made by [`DedupKey::new`].
    pub fn parts(&self) -> Option<(UserKey, TemplateId, Cycle)> {
        fn take(s: &str) -> Option<(&str, &str)> {
            let (len, rest) = s.split_once(':')?;
            let len: usize = len.parse().ok()?;
            let value = rest.get(..len)?;
            let rest = rest.get(len..)?;
            Some((value, rest.strip_prefix('|').unwrap_or(rest)))
        }
        let (u, rest) = take(&self.0)?;
        let (t, rest) = take(rest)?;
        let (c, rest) = take(rest)?;
        rest.is_empty()
            .then(|| (UserKey::from(u), TemplateId::from(t), Cycle(c.to_owned())))
    }
}

/// Where a message is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting for its next attempt.
    Queued,
    /// Claimed by a worker; `next_attempt_at` is when the claim expires.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up after the last attempt.
    Failed,
}

/// A message to put in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMessage {
    /// De-duplication key.
    pub dedup_key: DedupKey,
    /// The template it was made from.
    pub template_id: TemplateId,
    /// The cycle (also part of the key; kept for "last sent" bookkeeping).
    pub cycle: Cycle,
    /// The user it is addressed to (admins too are users).
    pub recipient: UserKey,
    /// Envelope and header recipient.
    pub to: String,
    /// Envelope-only recipients.
    pub bcc: Vec<String>,
    /// Rendered subject.
    pub subject: String,
    /// Rendered, sanitised HTML.
    pub html_body: String,
    /// Plain-text alternative.
    pub text_body: String,
    /// When it was composed.
    pub created_at: Millis,
}

/// A message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Identifier.
    pub id: MessageId,
    /// De-duplication key.
    pub dedup_key: DedupKey,
    /// The template it was made from.
    pub template_id: TemplateId,
    /// The cycle.
    pub cycle: Cycle,
    /// The user it is addressed to.
    pub recipient: UserKey,
    /// Envelope and header recipient.
    pub to: String,
    /// Envelope-only recipients.
    pub bcc: Vec<String>,
    /// Subject.
    pub subject: String,
    /// Sanitised HTML.
    pub html_body: String,
    /// Plain-text alternative.
    pub text_body: String,
    /// When it was composed.
    pub created_at: Millis,
    /// Life-cycle state.
    pub status: OutboxStatus,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it is next due (queued) or when its claim expires (sending).
    pub next_attempt_at: Millis,
    /// The last failure, as the server or network reported it.
    pub last_error: Option<String>,
}

/// Result of [`OutboxPort::enqueue`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "id", rename_all = "snake_case")]
pub enum Enqueued {
    /// A new message was queued.
    Queued(MessageId),
    /// A message with the same key exists already; nothing was added.
    Duplicate(MessageId),
}

/// An outbox storage failure.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// No message with this id.
    #[error("no outbox message `{0}`")]
    UnknownMessage(MessageId),
    /// The store could not be reached or refused the write.
    #[error("outbox store failed: {0}")]
    Store(String),
}

/// The durable outbox, as the store provides it.
///
/// Implementations must be safe to call from several workers at once:
/// `claim_due` hands each due message to one caller only.
pub trait OutboxPort {
    /// Adds a message unless one with the same `dedup_key` exists (in any status).
    fn enqueue(&self, message: NewMessage) -> Result<Enqueued, OutboxError>;

    /// Claims up to `limit` messages that are `Queued` with `next_attempt_at <= now`,
    /// or `Sending` with an expired claim (a worker died mid-send), oldest due first.
    /// Claimed messages become `Sending`, `attempts` goes up by one and
    /// `next_attempt_at` becomes `lease_until`.
    fn claim_due(
        &self,
        now: Millis,
        lease_until: Millis,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, OutboxError>;

    /// Marks a claimed message delivered.
    fn mark_sent(&self, id: MessageId, at: Millis) -> Result<(), OutboxError>;

    /// Records a failed attempt: `retry_at` queues it again for then;
    /// `None` marks it finally `Failed`.
    fn mark_failed(
        &self,
        id: MessageId,
        error: &str,
        retry_at: Option<Millis>,
    ) -> Result<(), OutboxError>;
}

/// An in-memory outbox, for tests and the standalone host's first runs.
#[derive(Debug, Default)]
pub struct MemoryOutbox {
    inner: Mutex<MemoryInner>,
}

#[derive(Debug, Default)]
struct MemoryInner {
    next_id: u64,
    messages: Vec<OutboxMessage>,
    by_key: HashMap<DedupKey, MessageId>,
}

impl MemoryOutbox {
    /// An empty outbox.
    pub fn new() -> MemoryOutbox {
        MemoryOutbox::default()
    }

    /// A copy of every message, in enqueue order.
    pub fn messages(&self) -> Vec<OutboxMessage> {
        self.lock().messages.clone()
    }

    /// One message by id.
    pub fn get(&self, id: MessageId) -> Option<OutboxMessage> {
        self.lock().messages.iter().find(|m| m.id == id).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        // A panic while holding the lock cannot leave the vector half-written
        // (every mutation is a single assignment), so a poisoned lock is safe to reuse.
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl MemoryInner {
    fn find(&mut self, id: MessageId) -> Result<&mut OutboxMessage, OutboxError> {
        // Ids are dense from 1, so the index is `id - 1`.
        let index = usize::try_from(id.0.wrapping_sub(1)).unwrap_or(usize::MAX);
        self.messages
            .get_mut(index)
            .ok_or(OutboxError::UnknownMessage(id))
    }
}

impl OutboxPort for MemoryOutbox {
    fn enqueue(&self, m: NewMessage) -> Result<Enqueued, OutboxError> {
        let mut inner = self.lock();
        if let Some(id) = inner.by_key.get(&m.dedup_key) {
            return Ok(Enqueued::Duplicate(*id));
        }
        inner.next_id += 1;
        let id = MessageId(inner.next_id);
        inner.by_key.insert(m.dedup_key.clone(), id);
        inner.messages.push(OutboxMessage {
            id,
            dedup_key: m.dedup_key,
            template_id: m.template_id,
            cycle: m.cycle,
            recipient: m.recipient,
            to: m.to,
            bcc: m.bcc,
            subject: m.subject,
            html_body: m.html_body,
            text_body: m.text_body,
            created_at: m.created_at,
            status: OutboxStatus::Queued,
            attempts: 0,
            next_attempt_at: m.created_at,
            last_error: None,
        });
        Ok(Enqueued::Queued(id))
    }

    fn claim_due(
        &self,
        now: Millis,
        lease_until: Millis,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, OutboxError> {
        let mut inner = self.lock();
        let mut due: Vec<usize> = inner
            .messages
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                matches!(m.status, OutboxStatus::Queued | OutboxStatus::Sending)
                    && m.next_attempt_at <= now
            })
            .map(|(i, _)| i)
            .collect();
        due.sort_by_key(|&i| inner.messages.get(i).map(|m| (m.next_attempt_at, m.id)));
        due.truncate(limit);
        let mut claimed = Vec::with_capacity(due.len());
        for i in due {
            if let Some(m) = inner.messages.get_mut(i) {
                m.status = OutboxStatus::Sending;
                m.attempts += 1;
                m.next_attempt_at = lease_until;
                claimed.push(m.clone());
            }
        }
        Ok(claimed)
    }

    fn mark_sent(&self, id: MessageId, at: Millis) -> Result<(), OutboxError> {
        let mut inner = self.lock();
        let m = inner.find(id)?;
        m.status = OutboxStatus::Sent;
        m.next_attempt_at = at;
        m.last_error = None;
        Ok(())
    }

    fn mark_failed(
        &self,
        id: MessageId,
        error: &str,
        retry_at: Option<Millis>,
    ) -> Result<(), OutboxError> {
        let mut inner = self.lock();
        let m = inner.find(id)?;
        m.last_error = Some(error.to_owned());
        match retry_at {
            Some(at) => {
                m.status = OutboxStatus::Queued;
                m.next_attempt_at = at;
            }
            None => m.status = OutboxStatus::Failed,
        }
        Ok(())
    }
}

/// Who a message goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The user's key (what audit and de-duplication use).
    pub key: UserKey,
    /// The address.
    pub email: String,
}

/// Why a message could not be composed.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// The template is switched off.
    #[error("template `{0}` is disabled")]
    Disabled(TemplateId),
    /// The template does not render.
    #[error("template `{id}` does not render: {errors}")]
    Template {
        /// The template.
        id: TemplateId,
        /// What is wrong.
        errors: TemplateErrors,
    },
    /// The recipient has no usable address (named by key only).
    #[error("user `{0}` has no valid email address")]
    NoAddress(UserKey),
}

/// Renders `template` for `recipient` into a message ready to enqueue.
pub fn compose(
    template: &Template,
    recipient: &Recipient,
    values: &Values,
    cycle: Cycle,
    now: Millis,
) -> Result<NewMessage, ComposeError> {
    if !template.enabled {
        return Err(ComposeError::Disabled(template.id.clone()));
    }
    let to = recipient.email.trim();
    if to.parse::<lettre::Address>().is_err() {
        return Err(ComposeError::NoAddress(recipient.key.clone()));
    }
    let Rendered {
        subject,
        html,
        text,
        ..
    } = render(template, values).map_err(|errors| ComposeError::Template {
        id: template.id.clone(),
        errors,
    })?;
    Ok(NewMessage {
        dedup_key: DedupKey::new(&recipient.key, &template.id, &cycle),
        template_id: template.id.clone(),
        cycle,
        recipient: recipient.key.clone(),
        to: to.to_owned(),
        bcc: template.bcc.iter().map(|b| b.trim().to_owned()).collect(),
        subject,
        html_body: html,
        text_body: text,
        created_at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::placeholder::Placeholder;
    use crate::template::TemplateKind;

    fn message(user: &str, cycle: Cycle) -> NewMessage {
        let t = Template::default_for(TemplateKind::Warning);
        let r = Recipient {
            key: user.into(),
            email: format!("{user}@example.com"),
        };
        compose(&t, &r, &Values::samples(), cycle, Millis(1_000)).unwrap()
    }

    #[test]
    fn enqueue_deduplicates_on_user_template_cycle() {
        let outbox = MemoryOutbox::new();
        let a = outbox
            .enqueue(message("u1", Cycle::action_day(Millis(0))))
            .unwrap();
        let b = outbox
            .enqueue(message("u1", Cycle::action_day(Millis(0))))
            .unwrap();
        let c = outbox
            .enqueue(message("u1", Cycle::action_day(Millis(86_400_000))))
            .unwrap();
        let d = outbox
            .enqueue(message("u2", Cycle::action_day(Millis(0))))
            .unwrap();
        assert_eq!(a, Enqueued::Queued(MessageId(1)));
        assert_eq!(b, Enqueued::Duplicate(MessageId(1)));
        assert_eq!(c, Enqueued::Queued(MessageId(2)));
        assert_eq!(d, Enqueued::Queued(MessageId(3)));
    }

    #[test]
    fn dedup_key_parts_cannot_collide() {
        let a = DedupKey::new(&"a|b".into(), &"c".into(), &Cycle("d".into()));
        let b = DedupKey::new(&"a".into(), &"b|c".into(), &Cycle("d".into()));
        assert_ne!(a, b);
        let (u, t, c) = a.parts().unwrap();
        assert_eq!((u.as_str(), t.0.as_str(), c.0.as_str()), ("a|b", "c", "d"));
        assert_eq!(DedupKey("3:abc".into()).parts(), None);
    }

    #[test]
    fn claim_takes_due_messages_once_and_reclaims_expired_leases() {
        let outbox = MemoryOutbox::new();
        outbox.enqueue(message("u1", Cycle::once())).unwrap();
        outbox.enqueue(message("u2", Cycle::once())).unwrap();
        assert!(
            outbox
                .claim_due(Millis(999), Millis(5_000), 10)
                .unwrap()
                .is_empty()
        );
        let first = outbox.claim_due(Millis(1_000), Millis(5_000), 1).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].status, first[0].attempts),
            (OutboxStatus::Sending, 1)
        );
        let second = outbox.claim_due(Millis(1_000), Millis(5_000), 10).unwrap();
        assert_eq!(second.len(), 1);
        assert_ne!(first[0].id, second[0].id);
        // Both leases expire at 5000: a new worker picks them up again.
        assert_eq!(
            outbox
                .claim_due(Millis(5_000), Millis(9_000), 10)
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn compose_refuses_disabled_templates_and_bad_addresses() {
        let mut t = Template::default_for(TemplateKind::Welcome);
        let r = Recipient {
            key: "u9".into(),
            email: "not-an-address".into(),
        };
        assert!(matches!(
            compose(&t, &r, &Values::samples(), Cycle::once(), Millis(0)),
            Err(ComposeError::Disabled(_))
        ));
        t.enabled = true;
        let err = compose(&t, &r, &Values::samples(), Cycle::once(), Millis(0)).unwrap_err();
        assert_eq!(err.to_string(), "user `u9` has no valid email address");
    }

    #[test]
    fn compose_carries_bcc_and_rendered_parts() {
        let mut t = Template::default_for(TemplateKind::Warning);
        t.bcc = vec![" audit@example.com ".into()];
        let r = Recipient {
            key: "u1".into(),
            email: "u1@example.com".into(),
        };
        let v = Values::samples().with(Placeholder::DisplayName, "Ada Example");
        let m = compose(&t, &r, &v, Cycle::once(), Millis(0)).unwrap();
        assert_eq!(m.bcc, vec!["audit@example.com".to_owned()]);
        assert!(m.html_body.contains("Hello Ada Example"));
        assert!(m.text_body.contains("Hello Ada Example"));
    }
}
