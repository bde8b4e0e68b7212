//! Templates: what an admin configures for each kind of mail.
//!
//! A template is stored as the admin wrote it (subject and HTML body with
//! placeholders); sanitising happens at render time, after placeholder values
//! are inserted, so no value can smuggle markup past the sanitiser and an
//! admin who later widens nothing never has their text rewritten on save.
//! [`Template::validate`] is the save-time check: placeholders known and
//! available for the kind, addresses parseable, required texts present.

use std::fmt;

use serde::{Deserialize, Serialize};

use seatwarden_core::{Millis, UserKey};

use crate::placeholder::{self, Field, PlaceholderError};

/// A template's stable identifier (chosen by the store or the defaults).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TemplateId(pub String);

impl fmt::Display for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for TemplateId {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}

/// What a template is for; decides which placeholders it may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// Warns a user before a policy acts on their account.
    Warning,
    /// Tells admins that licence usage crossed the threshold.
    LicenceAlert,
    /// Greets a user created by an import.
    Welcome,
    /// Sends an imported user a link to set their password.
    PasswordReset,
    /// Summarises a finished run for admins.
    RunReport,
    /// Tells admins a run stopped at the mass-change guard and waits for approval.
    GuardTripped,
    /// Tells a policy's reviewers how many users wait on its review list.
    ReviewDigest,
    /// Tells a user that a policy removed their access (deactivated,
    /// suspended, took the licence), with the link to ask for it back when
    /// the policy offers one (issue 21).
    AccessRemoved,
}

impl TemplateKind {
    /// Every kind, in the order the defaults are listed.
    pub const ALL: [TemplateKind; 8] = [
        TemplateKind::Warning,
        TemplateKind::LicenceAlert,
        TemplateKind::Welcome,
        TemplateKind::PasswordReset,
        TemplateKind::RunReport,
        TemplateKind::GuardTripped,
        TemplateKind::ReviewDigest,
        TemplateKind::AccessRemoved,
    ];
}

impl fmt::Display for TemplateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TemplateKind::Warning => "warning",
            TemplateKind::LicenceAlert => "licence alert",
            TemplateKind::Welcome => "welcome",
            TemplateKind::PasswordReset => "password reset",
            TemplateKind::RunReport => "run report",
            TemplateKind::GuardTripped => "guard tripped",
            TemplateKind::ReviewDigest => "review digest",
            TemplateKind::AccessRemoved => "access removed",
        })
    }
}

/// When a template is sent, relative to what triggers it. Stored and served
/// for compatibility only: the sender never reads it, as a warning's timing
/// is the sending policy's `warning.daysBefore` (docs/mail.md, "Templates").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Timing {
    /// `days` whole days before the policy's action would fire.
    BeforeAction {
        /// Days of notice.
        days: u32,
    },
    /// Once the user has been inactive for `days` whole days.
    SinceInactivity {
        /// Days since last login.
        days: u32,
    },
    /// As soon as the triggering event happens (import, run end, guard).
    OnEvent,
}

impl fmt::Display for Timing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Timing::BeforeAction { days } => write!(f, "{days} days before the action"),
            Timing::SinceInactivity { days } => write!(f, "{days} days since inactivity"),
            Timing::OnEvent => f.write_str("when it happens"),
        }
    }
}

/// The most recent send of a template: when, and to whom.
///
/// A "send" is one cycle (see [`crate::outbox::Cycle`]): every message of the
/// same cycle delivered counts towards the same recipient list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastSend {
    /// The cycle these deliveries belong to.
    pub cycle: String,
    /// When the latest message of the cycle was delivered.
    pub at: Millis,
    /// The users who received it (keys, no addresses).
    pub recipients: Vec<UserKey>,
}

/// A mail template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Stable identifier.
    pub id: TemplateId,
    /// The name admins see in the list.
    pub name: String,
    /// What it is for.
    pub kind: TemplateKind,
    /// When it is sent.
    pub timing: Timing,
    /// Subject line, with placeholders.
    pub subject: String,
    /// HTML body, with placeholders; sanitised to the allowed subset at render time.
    pub html_body: String,
    /// Addresses that get a blind copy of every message.
    #[serde(default)]
    pub bcc: Vec<String>,
    /// Whether it is sent at all.
    pub enabled: bool,
    /// The latest send, if any.
    #[serde(default)]
    pub last_send: Option<LastSend>,
}

/// The longest subject a template may have: a mail header line holds at
/// most 998 characters (RFC 5322, section 2.1.1), and servers refuse more.
pub const MAX_SUBJECT_CHARS: usize = 998;

/// What is wrong with a template, every problem at once.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum TemplateError {
    /// A placeholder problem.
    #[error(transparent)]
    Placeholder(#[from] PlaceholderError),
    /// A required text is empty.
    #[error("{field} must not be empty")]
    Empty {
        /// `name`, `subject` or `body`.
        field: String,
    },
    /// The subject spans lines.
    #[error("subject must be a single line")]
    MultilineSubject,
    /// The subject is longer than a mail header line may be (RFC 5322,
    /// section 2.1.1: 998 characters); every send would be refused.
    #[error("subject must be at most {max} characters (it has {length})")]
    SubjectTooLong {
        /// Its length in characters.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// A BCC entry is not an email address.
    #[error("bcc entry {index} is not a valid email address")]
    BadBcc {
        /// 1-based position in the list (the address itself is not repeated).
        index: usize,
    },
    /// The timing does not fit the kind.
    #[error("timing `{timing}` does not fit a {kind} template")]
    Timing {
        /// The timing as shown.
        timing: String,
        /// The kind.
        kind: TemplateKind,
    },
}

/// All problems found in a template.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[error("template is invalid: {}", .errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct TemplateErrors {
    /// Each problem.
    pub errors: Vec<TemplateError>,
}

impl Template {
    /// Checks everything that can be checked at save time.
    pub fn validate(&self) -> Result<(), TemplateErrors> {
        let mut errors = Vec::new();
        if self.name.trim().is_empty() {
            errors.push(TemplateError::Empty {
                field: "name".into(),
            });
        }
        if self.subject.trim().is_empty() {
            errors.push(TemplateError::Empty {
                field: "subject".into(),
            });
        }
        if self.subject.contains(['\r', '\n']) {
            errors.push(TemplateError::MultilineSubject);
        }
        let length = self.subject.chars().count();
        if length > MAX_SUBJECT_CHARS {
            errors.push(TemplateError::SubjectTooLong {
                length,
                max: MAX_SUBJECT_CHARS,
            });
        }
        if self.html_body.trim().is_empty() {
            errors.push(TemplateError::Empty {
                field: "body".into(),
            });
        }
        for (text, field) in [
            (&self.subject, Field::Subject),
            (&self.html_body, Field::Body),
        ] {
            if let Err(errs) = placeholder::parse(text, field, self.kind) {
                errors.extend(errs.into_iter().map(TemplateError::from));
            }
        }
        for (i, addr) in self.bcc.iter().enumerate() {
            if !is_address(addr) {
                errors.push(TemplateError::BadBcc { index: i + 1 });
            }
        }
        let timing_fits = match (self.kind, self.timing) {
            (
                TemplateKind::Warning,
                Timing::BeforeAction { .. } | Timing::SinceInactivity { .. },
            ) => true,
            (TemplateKind::Warning, Timing::OnEvent) => false,
            (_, Timing::OnEvent) => true,
            _ => false,
        };
        if !timing_fits {
            errors.push(TemplateError::Timing {
                timing: self.timing.to_string(),
                kind: self.kind,
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(TemplateErrors { errors })
        }
    }

    /// Whether a warning with this timing is due at `now` for a user idle
    /// since `idle_since` (last login, or creation if never logged in) whose
    /// planned action fires at `action_at`. Event-driven timings are never
    /// "due" by time; their sender decides.
    pub fn is_due(&self, idle_since: Millis, action_at: Option<Millis>, now: Millis) -> bool {
        if !self.enabled {
            return false;
        }
        match self.timing {
            Timing::BeforeAction { days } => {
                action_at.is_some_and(|at| now >= at.minus_days(days) && now < at)
            }
            Timing::SinceInactivity { days } => idle_since.days_until(now) >= i64::from(days),
            Timing::OnEvent => false,
        }
    }

    /// Records one delivered message of `cycle` to `user` at `at`.
    ///
    /// A new cycle starts a new recipient list; the same cycle adds to it.
    pub fn note_sent(&mut self, cycle: &str, at: Millis, user: &UserKey) {
        match &mut self.last_send {
            Some(last) if last.cycle == cycle => {
                if at > last.at {
                    last.at = at;
                }
                if !last.recipients.contains(user) {
                    last.recipients.push(user.clone());
                }
            }
            _ => {
                self.last_send = Some(LastSend {
                    cycle: cycle.to_owned(),
                    at,
                    recipients: vec![user.clone()],
                });
            }
        }
    }

    /// The default template of `kind`, in Seatwarden's own words.
    pub fn default_for(kind: TemplateKind) -> Template {
        let (id, name, timing, subject, body) = match kind {
            TemplateKind::Warning => (
                "warning",
                "Heads-up before an inactive account is changed",
                Timing::BeforeAction { days: 7 },
                "{{instance_name}}: we will {{action}} on {{action_date}}",
                "<p>Hello {{display_name}},</p>\n\
                 <p>Your account <strong>{{username}}</strong> on {{instance_name}} has not been \
                 used for {{days_inactive}} days (last sign-in: {{last_login}}). Unless you sign \
                 in before <strong>{{action_date}}</strong>, we will {{action}}.</p>\n\
                 <p>Still need access? Sign in at <a href=\"{{base_url}}\">{{base_url}}</a>.</p>\n\
                 <p>This is an automatic message from the {{instance_name}} administrators.</p>",
            ),
            TemplateKind::LicenceAlert => (
                "licence-alert",
                "Licence seats running out",
                Timing::OnEvent,
                "{{instance_name}}: {{application}} uses {{seats_used}} of {{seat_limit}} seats",
                "<h2>Licence usage alert</h2>\n\
                 <p>{{application}} on {{instance_name}} now uses <strong>{{seats_used}}</strong> \
                 seats of <strong>{{seat_limit}}</strong>.</p>\n\
                 <p>Review inactive accounts on the <a href=\"{{base_url}}\">dashboard</a> to free \
                 seats before new users are refused.</p>",
            ),
            TemplateKind::Welcome => (
                "welcome",
                "Welcome to a new account",
                Timing::OnEvent,
                "Welcome to {{instance_name}}",
                "<p>Hello {{display_name}},</p>\n\
                 <p>An account has been created for you on {{instance_name}}. Your username is \
                 <strong>{{username}}</strong>.</p>\n\
                 <p>Choose a password here: <a href=\"{{password_reset_url}}\">set my \
                 password</a>, then sign in at <a href=\"{{base_url}}\">{{base_url}}</a>.</p>",
            ),
            TemplateKind::PasswordReset => (
                "password-reset",
                "Set a password for an imported account",
                Timing::OnEvent,
                "{{instance_name}}: set your password",
                "<p>Hello {{display_name}},</p>\n\
                 <p>Use this link to choose a password for <strong>{{username}}</strong>: \
                 <a href=\"{{password_reset_url}}\">set my password</a>.</p>\n\
                 <p>If you did not expect this message, you can ignore it.</p>",
            ),
            TemplateKind::RunReport => (
                "run-report",
                "Report after an automation run",
                Timing::OnEvent,
                "{{instance_name}}: automation run {{run_id}} finished",
                "<h2>Run {{run_id}} finished</h2>\n\
                 <p>{{run_summary}}</p>\n\
                 <p>Details and undo are in the <a href=\"{{base_url}}\">audit log</a>.</p>",
            ),
            TemplateKind::GuardTripped => (
                "guard-tripped",
                "A run waits for approval",
                Timing::OnEvent,
                "{{instance_name}}: run {{run_id}} is waiting for your approval",
                "<h2>Approval needed</h2>\n\
                 <p>Run {{run_id}} would make more changes than the safety limit allows, so it \
                 stopped before changing anything.</p>\n\
                 <p>Planned: {{run_summary}}</p>\n\
                 <p><a href=\"{{approval_url}}\">Review the plan</a> and approve or discard it.</p>",
            ),
            TemplateKind::ReviewDigest => (
                "review-digest",
                "Users wait for review (reviewers)",
                Timing::OnEvent,
                "{{instance_name}}: {{review_count}} waiting for review in {{policy_name}}",
                "<h2>Review needed</h2>\n\
                 <p>The policy <strong>{{policy_name}}</strong> holds {{review_count}} for a \
                 decision before it acts on them.</p>\n\
                 <p><a href=\"{{review_url}}\">Open the review list</a> to approve, reject or \
                 exempt them.</p>",
            ),
            TemplateKind::AccessRemoved => (
                "access-removed",
                "Access removed (with a link to ask for it back)",
                Timing::OnEvent,
                "{{instance_name}}: your access was removed on {{action_date}}",
                "<p>Hello {{display_name}},</p>\n\
                 <p>Your account <strong>{{username}}</strong> on {{instance_name}} had not been \
                 used for {{days_inactive}} days (last sign-in: {{last_login}}), so on \
                 {{action_date}} the automatic clean-up had to {{action}}.</p>\n\
                 <p>Still need it? <a href=\"{{request_access_url}}\">Ask for your access \
                 back</a> and tell us why in one line.</p>\n\
                 <p>This is an automatic message from the {{instance_name}} administrators.</p>",
            ),
        };
        Template {
            id: TemplateId(id.to_owned()),
            name: name.to_owned(),
            kind,
            timing,
            subject: subject.to_owned(),
            html_body: body.to_owned(),
            bcc: Vec::new(),
            enabled: matches!(
                kind,
                TemplateKind::Warning
                    | TemplateKind::LicenceAlert
                    | TemplateKind::GuardTripped
                    | TemplateKind::ReviewDigest
                    | TemplateKind::AccessRemoved
            ),
            last_send: None,
        }
    }

    /// One default template per kind.
    pub fn defaults() -> Vec<Template> {
        TemplateKind::ALL
            .into_iter()
            .map(Template::default_for)
            .collect()
    }
}

/// Whether `s` (trimmed) is an address a message can be sent to: the
/// same check the transport makes when it builds the envelope, so a BCC
/// entry or a test recipient refused here would also be refused there,
/// and one accepted here is never refused for its form.
pub fn is_address(s: &str) -> bool {
    s.trim().parse::<lettre::Address>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        for t in Template::defaults() {
            t.validate().unwrap_or_else(|e| panic!("{}: {e}", t.id));
        }
    }

    #[test]
    fn validation_collects_every_problem() {
        let mut t = Template::default_for(TemplateKind::LicenceAlert);
        t.subject = "Seats {{days_inactive}}".into();
        t.html_body = "<p>{{nope}}</p>".into();
        t.bcc = vec!["ok@example.com".into(), "not an address".into()];
        t.timing = Timing::BeforeAction { days: 3 };
        let errs = t.validate().unwrap_err().errors;
        assert_eq!(errs.len(), 4, "{errs:?}");
        assert!(errs.contains(&TemplateError::BadBcc { index: 2 }));
        let text = TemplateErrors { errors: errs }.to_string();
        assert!(
            text.contains("unknown placeholder `nope` at body line 1, column 4"),
            "{text}"
        );
        assert!(text.contains("`days_inactive`"), "{text}");
        assert!(
            !text.contains("not an address"),
            "bcc address must not be echoed: {text}"
        );
    }

    #[test]
    fn warnings_fall_due_by_their_timing() {
        use seatwarden_core::time::DAY_MS;
        let day = |d: i64| Millis(d * DAY_MS);
        let mut t = Template::default_for(TemplateKind::Warning);
        t.timing = Timing::BeforeAction { days: 7 };
        assert!(!t.is_due(day(0), Some(day(30)), day(22)));
        assert!(t.is_due(day(0), Some(day(30)), day(23)));
        assert!(
            !t.is_due(day(0), Some(day(30)), day(30)),
            "the action has fired: too late"
        );
        assert!(
            !t.is_due(day(0), None, day(23)),
            "no planned action, no warning"
        );
        t.timing = Timing::SinceInactivity { days: 23 };
        assert!(!t.is_due(day(0), None, Millis(23 * DAY_MS - 1)));
        assert!(t.is_due(day(0), None, day(23)));
        t.enabled = false;
        assert!(!t.is_due(day(0), None, day(23)));
    }

    #[test]
    fn note_sent_groups_by_cycle() {
        let mut t = Template::default_for(TemplateKind::Warning);
        t.note_sent("c1", Millis(10), &UserKey::from("u1"));
        t.note_sent("c1", Millis(12), &UserKey::from("u2"));
        t.note_sent("c1", Millis(11), &UserKey::from("u1"));
        let last = t.last_send.clone().unwrap();
        assert_eq!((last.at, last.recipients.len()), (Millis(12), 2));
        t.note_sent("c2", Millis(20), &UserKey::from("u3"));
        let last = t.last_send.unwrap();
        assert_eq!((last.cycle.as_str(), last.recipients.len()), ("c2", 1));
    }
}
