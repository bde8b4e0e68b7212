//! Notifications: templates with placeholders, HTML-subset sanitising,
//! preview, the outbox model and SMTP delivery.
//!
//! Why a crate of its own: mail is where admin-written text meets every
//! user's inbox and where Seatwarden talks to a server it does not control.
//! Keeping it apart from the engine (which only decides *that* a warning is
//! due) and from the service (which decides *when* to enqueue) makes each of
//! its three jobs testable alone:
//!
//! 1. **Templates** ([`template`], [`placeholder`], [`render`], [`sanitize`]):
//!    `{{placeholder}}` syntax checked at save time with positions, values
//!    HTML-escaped, the body sanitised to a fixed tag subset by `ammonia`,
//!    a plain-text part derived from it, a preview with sample values.
//! 2. **Outbox** ([`outbox`]): composing messages, de-duplication by
//!    (user, template, cycle), and the [`outbox::OutboxPort`] the store
//!    implements — enqueue is one cheap write, so no request waits for mail.
//! 3. **Delivery** ([`delivery`], [`smtp`]): [`delivery::deliver_due`], which a
//!    host-owned worker thread calls (this crate starts no threads), with
//!    retry, exponential backoff and audit records; SMTP via `lettre`.
//!
//! Dependency direction: core ← mail ← service. Nothing here knows a host.
#![deny(missing_docs)]

pub mod delivery;
pub mod loopback;
pub mod outbox;
pub mod placeholder;
pub mod render;
pub mod sanitize;
pub mod secret;
pub mod smtp;
pub mod subject;
pub mod template;

pub use delivery::{
    DeliveryError, DeliveryOutcome, DeliveryRecord, DeliveryReport, MailTransport, Outgoing,
    RetryPolicy, SmtpReply, Stage, deliver_due, deliver_due_with, note_deliveries,
};
pub use outbox::{
    ComposeError, Cycle, DedupKey, Enqueued, MemoryOutbox, MessageId, NewMessage, OutboxError,
    OutboxMessage, OutboxPort, OutboxStatus, Recipient, compose,
};
pub use placeholder::{Placeholder, PlaceholderError, Position};
pub use render::{Preview, Rendered, Values, preview, preview_with, render};
pub use secret::Secret;
pub use smtp::{
    MailServerChoice, MailUnavailable, Mailer, ProductMail, Security, SettingsError, SmtpMailer,
    SmtpSettings, resolve_server,
};
pub use template::{
    LastSend, Template, TemplateError, TemplateErrors, TemplateId, TemplateKind, Timing, is_address,
};
