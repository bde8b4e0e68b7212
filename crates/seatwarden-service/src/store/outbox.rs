//! The mail outbox: messages are rendered once, stored, then delivered by a
//! worker that may crash or run on several nodes at once.
//!
//! The store gives the outbox its two guarantees: a de-duplication key
//! (user + template + cycle) so a warning is queued once per cycle however
//! often the scheduler ticks, and an atomic claim so two workers never send
//! the same message. A claim lapses after its lease, so a worker that dies
//! mid-send delays a message rather than losing it (delivery is therefore
//! at least once; the SMTP side is where a duplicate would show).

use std::fmt;

use serde::{Deserialize, Serialize};

use seatwarden_audit::Cursor;
use seatwarden_core::{Millis, UserKey};

/// An outbox message's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MailId(pub i64);

impl fmt::Display for MailId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailStatus {
    /// Waiting for its next attempt.
    Queued,
    /// Claimed by a worker.
    Sending,
    /// Delivered to the SMTP server.
    Sent,
    /// Given up.
    Failed,
    /// Discarded by an administrator from the outbox list: never sent. It
    /// stays (with its de-duplication key) so the scheduler does not queue
    /// the same warning again in the same cycle.
    Discarded,
}

impl MailStatus {
    /// A small integer code for compact storage.
    pub fn code(self) -> i64 {
        match self {
            MailStatus::Queued => 0,
            MailStatus::Sending => 1,
            MailStatus::Sent => 2,
            MailStatus::Failed => 3,
            MailStatus::Discarded => 4,
        }
    }

    /// The inverse of [`MailStatus::code`].
    pub fn from_code(code: i64) -> Option<MailStatus> {
        match code {
            0 => Some(MailStatus::Queued),
            1 => Some(MailStatus::Sending),
            2 => Some(MailStatus::Sent),
            3 => Some(MailStatus::Failed),
            4 => Some(MailStatus::Discarded),
            _ => None,
        }
    }
}

/// A message to queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOutboxMessage {
    /// User key + template id + cycle: the same key is queued once.
    pub dedup_key: String,
    /// The template it was rendered from.
    pub template_id: String,
    /// The user it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_user: Option<UserKey>,
    /// Recipients.
    pub to: Vec<String>,
    /// Blind-copy recipients.
    #[serde(default)]
    pub bcc: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Sanitised HTML body.
    pub html_body: String,
    /// Plain-text body.
    pub text_body: String,
    /// When it was queued; also its first due time.
    pub created_at: Millis,
}

/// A message as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxMessage {
    /// Its id.
    pub id: MailId,
    /// User key + template id + cycle.
    pub dedup_key: String,
    /// The template it was rendered from.
    pub template_id: String,
    /// The user it is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_user: Option<UserKey>,
    /// Recipients.
    pub to: Vec<String>,
    /// Blind-copy recipients.
    pub bcc: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Sanitised HTML body.
    pub html_body: String,
    /// Plain-text body.
    pub text_body: String,
    /// When it was queued.
    pub created_at: Millis,
    /// Where it stands.
    pub status: MailStatus,
    /// Delivery attempts so far (claims).
    pub attempts: u32,
    /// Queued: when it is due. Sending: when the claim lapses.
    pub next_attempt_at: Millis,
    /// The last failure (no personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

impl OutboxMessage {
    /// A freshly queued message.
    pub fn from_new(id: MailId, m: &NewOutboxMessage) -> OutboxMessage {
        OutboxMessage {
            id,
            dedup_key: m.dedup_key.clone(),
            template_id: m.template_id.clone(),
            recipient_user: m.recipient_user.clone(),
            to: m.to.clone(),
            bcc: m.bcc.clone(),
            subject: m.subject.clone(),
            html_body: m.html_body.clone(),
            text_body: m.text_body.clone(),
            created_at: m.created_at,
            status: MailStatus::Queued,
            attempts: 0,
            next_attempt_at: m.created_at,
            last_error: None,
        }
    }

    /// Whether an administrator may retry or discard it: it is waiting
    /// (queued) or given up (failed), not in a worker's hands nor finished.
    pub fn is_actionable(&self) -> bool {
        matches!(self.status, MailStatus::Queued | MailStatus::Failed)
    }

    /// Whether a worker may claim it at `now`.
    pub fn is_due(&self, now: Millis) -> bool {
        matches!(self.status, MailStatus::Queued | MailStatus::Sending)
            && self.next_attempt_at <= now
    }
}

/// The answer to an enqueue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enqueued {
    /// The message's id (the existing one for a duplicate).
    pub id: MailId,
    /// Whether it was new.
    pub new: bool,
}

/// A page request over the outbox (newest created first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutboxQuery {
    /// Any of these statuses (empty: any).
    pub statuses: Vec<MailStatus>,
    /// Messages about this user.
    pub recipient_user: Option<UserKey>,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
    /// Page size; 0 means the default, capped like every page.
    pub limit: u32,
}

impl OutboxQuery {
    /// Whether a message passes the filter (cursor not included).
    pub fn matches(&self, m: &OutboxMessage) -> bool {
        (self.statuses.is_empty() || self.statuses.contains(&m.status))
            && (self.recipient_user.is_none() || self.recipient_user == m.recipient_user)
    }

    /// The page size after defaults and caps.
    pub fn page_size(&self) -> usize {
        seatwarden_audit::AuditQuery {
            limit: self.limit,
            ..Default::default()
        }
        .page_size()
    }
}
