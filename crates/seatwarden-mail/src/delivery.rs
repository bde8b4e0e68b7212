//! The delivery worker: what the host's background thread calls.
//!
//! The library never starts a thread. The host owns one (or several) worker
//! threads and calls [`deliver_due`] in a loop: it claims a batch of due
//! messages, hands each to a [`MailTransport`], and records the outcome —
//! sent, queued again with exponential backoff, or failed for good after the
//! last attempt. Every outcome comes back as a [`DeliveryRecord`] for the
//! audit log: ids, user key, template, attempt, the server's answer — never
//! the body, and addresses in server answers are masked.
//!
//! Several workers may run at once (each with its own transport and so its
//! own SMTP connection); the outbox's claim makes sure no message is sent twice.

use std::fmt;

use serde::{Deserialize, Serialize};

use seatwarden_core::{Millis, UserKey};

use crate::outbox::{Cycle, MessageId, OutboxError, OutboxMessage, OutboxPort};
use crate::template::{Template, TemplateId};

/// A message as a transport sees it.
#[derive(Clone, Copy, Debug)]
pub struct Outgoing<'a> {
    /// Header and envelope recipient.
    pub to: &'a str,
    /// Envelope-only recipients.
    pub bcc: &'a [String],
    /// Subject.
    pub subject: &'a str,
    /// Sanitised HTML part.
    pub html: &'a str,
    /// Plain-text part.
    pub text: &'a str,
}

impl<'a> From<&'a OutboxMessage> for Outgoing<'a> {
    fn from(m: &'a OutboxMessage) -> Outgoing<'a> {
        Outgoing {
            to: &m.to,
            bcc: &m.bcc,
            subject: &m.subject,
            html: &m.html_body,
            text: &m.text_body,
        }
    }
}

/// An SMTP server's answer: code and text, exactly as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpReply {
    /// Three-digit reply code.
    pub code: u16,
    /// The reply text (lines joined with a space).
    pub text: String,
}

impl fmt::Display for SmtpReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.text)
    }
}

/// Which step of a delivery failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Opening the connection (and the greeting / EHLO).
    Connect,
    /// Negotiating TLS.
    Tls,
    /// Logging in.
    Auth,
    /// `MAIL FROM`.
    Sender,
    /// `RCPT TO`.
    Recipient,
    /// `DATA` and the message itself.
    Data,
    /// Building the message before talking to the server.
    Build,
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::Connect => "connect",
            Stage::Tls => "tls",
            Stage::Auth => "auth",
            Stage::Sender => "sender",
            Stage::Recipient => "recipient",
            Stage::Data => "data",
            Stage::Build => "build",
        })
    }
}

/// Why a message was not delivered.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DeliveryError {
    /// Sending mail is switched off (by the product or in Seatwarden's settings).
    #[error("outgoing mail is disabled: {reason}")]
    Disabled {
        /// Why, in words.
        reason: String,
    },
    /// The server answered with an error code.
    #[error("server refused at {stage}: {reply}")]
    Rejected {
        /// The step.
        stage: Stage,
        /// The server's exact answer.
        reply: SmtpReply,
    },
    /// The connection failed (refused, timed out, closed, TLS failure…).
    #[error("{stage} failed: {message}")]
    Connection {
        /// The step.
        stage: Stage,
        /// What went wrong.
        message: String,
    },
}

impl DeliveryError {
    /// The server's answer, if the failure was one.
    pub fn reply(&self) -> Option<&SmtpReply> {
        match self {
            DeliveryError::Rejected { reply, .. } => Some(reply),
            _ => None,
        }
    }

    /// The error with anything that looks like an email address masked, for
    /// the outbox and the audit log.
    pub fn masked(&self) -> String {
        mask_addresses(&self.to_string())
    }
}

/// Something that delivers one message: SMTP ([`crate::smtp::SmtpMailer`]),
/// a host's own mail queue, or a test double.
pub trait MailTransport {
    /// Delivers one message; `Ok` carries the server's final answer.
    fn send(&self, mail: &Outgoing<'_>) -> Result<SmtpReply, DeliveryError>;

    /// `Some(reason)` when delivery is switched off: the worker then leaves
    /// every message queued and spends no attempts.
    fn disabled_reason(&self) -> Option<String> {
        None
    }
}

/// How often and how patiently to retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryPolicy {
    /// Attempts before a message fails for good (at least 1).
    pub max_attempts: u32,
    /// Wait after the first failure, in ms; doubles after each further failure.
    pub first_delay_ms: i64,
    /// Upper bound on the wait, in ms.
    pub max_delay_ms: i64,
    /// How long a claimed message stays reserved for one worker, in ms.
    pub lease_ms: i64,
}

impl Default for RetryPolicy {
    /// 8 attempts over about 4 hours: 1, 2, 4, 8, 16, 32, 60 minutes apart.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 8,
            first_delay_ms: 60_000,
            max_delay_ms: 3_600_000,
            lease_ms: 10 * 60_000,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn delay_after(&self, attempt: u32) -> i64 {
        let doublings = attempt.saturating_sub(1).min(62);
        self.first_delay_ms
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay_ms)
            .max(0)
    }
}

/// What happened to one message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DeliveryOutcome {
    /// Accepted by the server.
    Sent {
        /// The server's answer (masked).
        reply: String,
    },
    /// Failed; queued again.
    Retry {
        /// The failure (masked).
        error: String,
        /// When it is tried again.
        next_attempt_at: Millis,
    },
    /// Failed for the last time.
    Failed {
        /// The failure (masked).
        error: String,
    },
}

/// One delivery attempt, for the audit log (no body, no addresses).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// The message.
    pub message_id: MessageId,
    /// Its template.
    pub template_id: TemplateId,
    /// Its cycle.
    pub cycle: Cycle,
    /// The user it was for.
    pub recipient: UserKey,
    /// Envelope recipients (to + bcc).
    pub envelope_recipients: usize,
    /// Which attempt this was (1-based).
    pub attempt: u32,
    /// When it was recorded.
    pub at: Millis,
    /// What happened.
    pub outcome: DeliveryOutcome,
}

/// What one [`deliver_due`] call did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// One record per message attempted.
    pub records: Vec<DeliveryRecord>,
    /// Set when delivery is disabled and nothing was claimed.
    pub disabled: Option<String>,
}

impl DeliveryReport {
    /// Messages accepted by the server.
    pub fn sent(&self) -> usize {
        self.records
            .iter()
            .filter(|r| matches!(r.outcome, DeliveryOutcome::Sent { .. }))
            .count()
    }

    /// Messages that failed this time (retry or final).
    pub fn failed(&self) -> usize {
        self.records.len() - self.sent()
    }
}

/// Updates each template's "last send" from the `Sent` records of a report.
pub fn note_deliveries(templates: &mut [Template], records: &[DeliveryRecord]) {
    for r in records {
        if !matches!(r.outcome, DeliveryOutcome::Sent { .. }) {
            continue;
        }
        if let Some(t) = templates.iter_mut().find(|t| t.id == r.template_id) {
            t.note_sent(&r.cycle.0, r.at, &r.recipient);
        }
    }
}

/// Delivers up to `batch` due messages with the default [`RetryPolicy`].
pub fn deliver_due(
    outbox: &impl OutboxPort,
    transport: &impl MailTransport,
    now: Millis,
    batch: usize,
) -> Result<DeliveryReport, OutboxError> {
    deliver_due_with(outbox, transport, now, batch, &RetryPolicy::default())
}

/// Delivers up to `batch` due messages with `policy`.
///
/// Returns the outbox's error only if the outbox itself fails; delivery
/// failures are recorded per message and never abort the batch.
pub fn deliver_due_with(
    outbox: &impl OutboxPort,
    transport: &impl MailTransport,
    now: Millis,
    batch: usize,
    policy: &RetryPolicy,
) -> Result<DeliveryReport, OutboxError> {
    if let Some(reason) = transport.disabled_reason() {
        return Ok(DeliveryReport {
            records: Vec::new(),
            disabled: Some(reason),
        });
    }
    let lease_until = Millis(now.0.saturating_add(policy.lease_ms));
    let claimed = outbox.claim_due(now, lease_until, batch)?;
    let mut records = Vec::with_capacity(claimed.len());
    for message in &claimed {
        let outcome = match transport.send(&Outgoing::from(message)) {
            Ok(reply) => {
                outbox.mark_sent(message.id, now)?;
                DeliveryOutcome::Sent {
                    reply: mask_addresses(&reply.to_string()),
                }
            }
            Err(err) => {
                let error = err.masked();
                if message.attempts >= policy.max_attempts.max(1) {
                    outbox.mark_failed(message.id, &error, None)?;
                    DeliveryOutcome::Failed { error }
                } else {
                    let next = Millis(now.0.saturating_add(policy.delay_after(message.attempts)));
                    outbox.mark_failed(message.id, &error, Some(next))?;
                    DeliveryOutcome::Retry {
                        error,
                        next_attempt_at: next,
                    }
                }
            }
        };
        records.push(DeliveryRecord {
            message_id: message.id,
            template_id: message.template_id.clone(),
            cycle: message.cycle.clone(),
            recipient: message.recipient.clone(),
            envelope_recipients: 1 + message.bcc.len(),
            attempt: message.attempts,
            at: now,
            outcome,
        });
    }
    Ok(DeliveryReport {
        records,
        disabled: None,
    })
}

/// Replaces every `local@domain` token in `text` with `<address>`.
pub fn mask_addresses(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let flush = |token: &mut String, out: &mut String| {
        if token.contains('@') {
            let core = token.trim_matches(|c: char| "<>()[],;:'\"".contains(c));
            if core.contains('@') && !core.starts_with('@') && !core.ends_with('@') {
                out.push_str(&token.replace(core, "<address>"));
            } else {
                out.push_str(token);
            }
        } else {
            out.push_str(token);
        }
        token.clear();
    };
    for c in text.chars() {
        if c.is_whitespace() {
            flush(&mut token, &mut out);
            out.push(c);
        } else {
            token.push(c);
        }
    }
    flush(&mut token, &mut out);
    out.replace("<<address>>", "<address>")
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::outbox::{Cycle, MemoryOutbox, OutboxStatus, Recipient, compose};
    use crate::render::Values;
    use crate::template::TemplateKind;

    /// Fails the first `fail` sends, then accepts.
    struct Flaky {
        fail: RefCell<u32>,
        disabled: bool,
    }

    impl MailTransport for Flaky {
        fn send(&self, mail: &Outgoing<'_>) -> Result<SmtpReply, DeliveryError> {
            let mut left = self.fail.borrow_mut();
            if *left > 0 {
                *left -= 1;
                return Err(DeliveryError::Rejected {
                    stage: Stage::Recipient,
                    reply: SmtpReply {
                        code: 451,
                        text: format!("<{}> try later", mail.to),
                    },
                });
            }
            Ok(SmtpReply {
                code: 250,
                text: "ok".into(),
            })
        }

        fn disabled_reason(&self) -> Option<String> {
            self.disabled.then(|| "off".to_owned())
        }
    }

    fn queue_one(outbox: &MemoryOutbox) {
        let t = Template::default_for(TemplateKind::Warning);
        let r = Recipient {
            key: "u1".into(),
            email: "u1@example.com".into(),
        };
        outbox
            .enqueue(compose(&t, &r, &Values::samples(), Cycle::once(), Millis(0)).unwrap())
            .unwrap();
    }

    #[test]
    fn retries_with_backoff_then_fails_for_good() {
        let outbox = MemoryOutbox::new();
        queue_one(&outbox);
        let policy = RetryPolicy {
            max_attempts: 3,
            first_delay_ms: 100,
            max_delay_ms: 150,
            lease_ms: 50,
        };
        let t = Flaky {
            fail: RefCell::new(10),
            disabled: false,
        };
        let r1 = deliver_due_with(&outbox, &t, Millis(0), 10, &policy).unwrap();
        assert_eq!(
            r1.records[0].outcome,
            DeliveryOutcome::Retry {
                error: "server refused at recipient: 451 <address> try later".into(),
                next_attempt_at: Millis(100)
            }
        );
        assert!(
            deliver_due_with(&outbox, &t, Millis(99), 10, &policy)
                .unwrap()
                .records
                .is_empty()
        );
        let r2 = deliver_due_with(&outbox, &t, Millis(100), 10, &policy).unwrap();
        assert!(matches!(
            r2.records[0].outcome,
            DeliveryOutcome::Retry {
                next_attempt_at: Millis(250),
                ..
            }
        ));
        let r3 = deliver_due_with(&outbox, &t, Millis(250), 10, &policy).unwrap();
        assert!(matches!(
            r3.records[0].outcome,
            DeliveryOutcome::Failed { .. }
        ));
        let m = &outbox.messages()[0];
        assert_eq!((m.status, m.attempts), (OutboxStatus::Failed, 3));
        assert!(m.last_error.as_deref().unwrap().contains("451"));
        assert!(!m.last_error.as_deref().unwrap().contains("u1@example.com"));
    }

    #[test]
    fn a_transient_failure_then_success_is_sent_once() {
        let outbox = MemoryOutbox::new();
        queue_one(&outbox);
        let t = Flaky {
            fail: RefCell::new(1),
            disabled: false,
        };
        deliver_due(&outbox, &t, Millis(0), 10).unwrap();
        let r = deliver_due(&outbox, &t, Millis(60_000), 10).unwrap();
        assert_eq!(r.sent(), 1);
        assert_eq!(r.records[0].attempt, 2);
        let mut templates = Template::defaults();
        note_deliveries(&mut templates, &r.records);
        let last = templates[0].last_send.clone().unwrap();
        assert_eq!(
            (last.at, last.recipients),
            (Millis(60_000), vec![UserKey::from("u1")])
        );
        assert!(templates[1].last_send.is_none());
        assert!(
            deliver_due(&outbox, &t, Millis(10_000_000), 10)
                .unwrap()
                .records
                .is_empty()
        );
        assert_eq!(outbox.messages()[0].status, OutboxStatus::Sent);
    }

    #[test]
    fn disabled_transport_claims_nothing() {
        let outbox = MemoryOutbox::new();
        queue_one(&outbox);
        let t = Flaky {
            fail: RefCell::new(0),
            disabled: true,
        };
        let r = deliver_due(&outbox, &t, Millis(0), 10).unwrap();
        assert_eq!(r.disabled.as_deref(), Some("off"));
        let m = &outbox.messages()[0];
        assert_eq!((m.status, m.attempts), (OutboxStatus::Queued, 0));
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(
            (1..=8)
                .map(|a| p.delay_after(a) / 60_000)
                .collect::<Vec<_>>(),
            vec![1, 2, 4, 8, 16, 32, 60, 60]
        );
        assert_eq!(p.delay_after(u32::MAX), 3_600_000);
    }

    #[test]
    fn masks_addresses_in_server_text() {
        assert_eq!(
            mask_addresses("550 5.1.1 <bob@example.com>: Recipient address rejected; a@b"),
            "550 5.1.1 <address>: Recipient address rejected; <address>"
        );
        assert_eq!(
            mask_addresses("250 2.0.0 Ok: queued as @X"),
            "250 2.0.0 Ok: queued as @X"
        );
    }
}
