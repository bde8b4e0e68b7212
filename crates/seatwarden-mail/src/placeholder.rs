//! Placeholders: the `{{name}}` slots an admin writes into a subject or body.
//!
//! Why a closed list: a typo in a template (`{{dispaly_name}}`) must be caught
//! when the admin saves it, not discovered by a user who receives a mail that
//! says "Dear {{dispaly_name}}". So every placeholder is an enum variant, the
//! parser turns text into literal and placeholder segments once, and an
//! unknown name is an error that says which name and where (line, column).
//!
//! Syntax: `{{name}}`, spaces inside the braces allowed (`{{ name }}`). A
//! literal `{{` that is not a placeholder cannot be written; no template has
//! needed one, and refusing it keeps the grammar unambiguous.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::template::TemplateKind;

/// One value a template can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Placeholder {
    /// The recipient's login name.
    Username,
    /// The recipient's display name.
    DisplayName,
    /// The recipient's email address.
    Email,
    /// The recipient's last login (UTC date) or "never".
    LastLogin,
    /// Whole days since the last login (or since creation if never logged in).
    DaysInactive,
    /// What the policy will do or did, in words ("deactivate your account").
    Action,
    /// The UTC date the action takes effect.
    ActionDate,
    /// Whole days from the send until the action.
    DaysUntilAction,
    /// A link where the recipient can ask for access to be kept or restored.
    RequestAccessUrl,
    /// The name of the Jira / Confluence instance.
    InstanceName,
    /// The base URL of the instance.
    BaseUrl,
    /// A link to set a new password (password-reset and welcome mails).
    PasswordResetUrl,
    /// Seats in use, for licence alerts.
    SeatsUsed,
    /// Seat limit, for licence alerts.
    SeatLimit,
    /// The licensed application, for licence alerts.
    Application,
    /// The run a report or approval request is about.
    RunId,
    /// A one-line summary of a run (counts of actions).
    RunSummary,
    /// Where an admin approves a guarded run.
    ApprovalUrl,
    /// The policy a review digest is about.
    PolicyName,
    /// How many users wait for review, in words ("3 users").
    ReviewCount,
    /// Where a reviewer opens the review list.
    ReviewUrl,
}

impl Placeholder {
    /// Every placeholder, in the order the preview lists them.
    pub const ALL: [Placeholder; 21] = [
        Placeholder::Username,
        Placeholder::DisplayName,
        Placeholder::Email,
        Placeholder::LastLogin,
        Placeholder::DaysInactive,
        Placeholder::Action,
        Placeholder::ActionDate,
        Placeholder::DaysUntilAction,
        Placeholder::RequestAccessUrl,
        Placeholder::InstanceName,
        Placeholder::BaseUrl,
        Placeholder::PasswordResetUrl,
        Placeholder::SeatsUsed,
        Placeholder::SeatLimit,
        Placeholder::Application,
        Placeholder::RunId,
        Placeholder::RunSummary,
        Placeholder::ApprovalUrl,
        Placeholder::PolicyName,
        Placeholder::ReviewCount,
        Placeholder::ReviewUrl,
    ];

    /// The name written between the braces.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Username => "username",
            Placeholder::DisplayName => "display_name",
            Placeholder::Email => "email",
            Placeholder::LastLogin => "last_login",
            Placeholder::DaysInactive => "days_inactive",
            Placeholder::Action => "action",
            Placeholder::ActionDate => "action_date",
            Placeholder::DaysUntilAction => "days_until_action",
            Placeholder::RequestAccessUrl => "request_access_url",
            Placeholder::InstanceName => "instance_name",
            Placeholder::BaseUrl => "base_url",
            Placeholder::PasswordResetUrl => "password_reset_url",
            Placeholder::SeatsUsed => "seats_used",
            Placeholder::SeatLimit => "seat_limit",
            Placeholder::Application => "application",
            Placeholder::RunId => "run_id",
            Placeholder::RunSummary => "run_summary",
            Placeholder::ApprovalUrl => "approval_url",
            Placeholder::PolicyName => "policy_name",
            Placeholder::ReviewCount => "review_count",
            Placeholder::ReviewUrl => "review_url",
        }
    }

    /// Looks a name up (exact, lower case).
    pub fn from_name(name: &str) -> Option<Placeholder> {
        Placeholder::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The value a preview shows for this placeholder (synthetic, never a real person).
    pub fn sample(self) -> &'static str {
        match self {
            Placeholder::Username => "jdoe",
            Placeholder::DisplayName => "John Doe",
            Placeholder::Email => "jdoe@example.com",
            Placeholder::LastLogin => "2026-08-14",
            Placeholder::DaysInactive => "83",
            Placeholder::Action => "deactivate your account",
            Placeholder::ActionDate => "2026-11-28",
            Placeholder::DaysUntilAction => "7",
            Placeholder::RequestAccessUrl => {
                "https://jira.example.com/plugins/seatwarden/request-access"
            }
            Placeholder::InstanceName => "Example Jira",
            Placeholder::BaseUrl => "https://jira.example.com",
            Placeholder::PasswordResetUrl => {
                "https://jira.example.com/secure/ForgotLoginDetails.jspa"
            }
            Placeholder::SeatsUsed => "512",
            Placeholder::SeatLimit => "500",
            Placeholder::Application => "jira-software",
            Placeholder::RunId => "run-42",
            Placeholder::RunSummary => "12 deactivated, 3 removed from licence groups, 2 skipped",
            Placeholder::ApprovalUrl => "https://jira.example.com/plugins/seatwarden/runs/42",
            Placeholder::PolicyName => "Inactive for 90 days",
            Placeholder::ReviewCount => "14 users",
            Placeholder::ReviewUrl => {
                "https://jira.example.com/plugins/servlet/seatwarden/#/review"
            }
        }
    }

    /// Whether a template of `kind` may use this placeholder.
    ///
    /// The instance-wide ones fit every kind; the rest only where the sender
    /// has a value for them (a licence alert has no "days inactive").
    pub fn available_for(self, kind: TemplateKind) -> bool {
        use Placeholder as P;
        use TemplateKind as K;
        match self {
            P::InstanceName | P::BaseUrl => true,
            P::Username | P::DisplayName | P::Email => true,
            P::LastLogin | P::DaysInactive | P::RequestAccessUrl => matches!(
                kind,
                K::Warning | K::PasswordReset | K::Welcome | K::AccessRemoved
            ),
            P::Action | P::ActionDate => matches!(kind, K::Warning | K::AccessRemoved),
            P::DaysUntilAction => matches!(kind, K::Warning),
            P::PasswordResetUrl => matches!(kind, K::PasswordReset | K::Welcome),
            P::SeatsUsed | P::SeatLimit | P::Application => matches!(kind, K::LicenceAlert),
            P::RunId | P::RunSummary => matches!(kind, K::RunReport | K::GuardTripped),
            P::ApprovalUrl => matches!(kind, K::GuardTripped),
            P::PolicyName | P::ReviewCount | P::ReviewUrl => matches!(kind, K::ReviewDigest),
        }
    }
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which text of a template a position refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The subject line.
    Subject,
    /// The HTML body.
    Body,
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Field::Subject => "subject",
            Field::Body => "body",
        })
    }
}

/// A place in a template text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// The field.
    pub field: Field,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} line {}, column {}",
            self.field, self.line, self.column
        )
    }
}

/// What is wrong with a placeholder.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum PlaceholderError {
    /// A name that is not a placeholder.
    #[error("unknown placeholder `{name}` at {at}")]
    Unknown {
        /// The name as written.
        name: String,
        /// Where it starts (the first `{`).
        at: Position,
    },
    /// A known placeholder the template's kind has no value for.
    #[error("placeholder `{name}` at {at} is not available in {kind} templates")]
    NotAvailable {
        /// The placeholder name.
        name: String,
        /// The template kind.
        kind: TemplateKind,
        /// Where it starts.
        at: Position,
    },
    /// `{{` without a closing `}}` on the same line.
    #[error("unclosed placeholder at {at}: `{{{{` needs a matching `}}}}`")]
    Unclosed {
        /// Where the `{{` is.
        at: Position,
    },
}

/// A piece of parsed template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Text copied as written.
    Literal(&'a str),
    /// A slot filled at render time.
    Slot(Placeholder),
}

/// Splits `text` into literal and placeholder segments.
///
/// Collects every error instead of stopping at the first, so an admin fixes
/// a template in one pass.
pub fn parse(
    text: &str,
    field: Field,
    kind: TemplateKind,
) -> Result<Vec<Segment<'_>>, Vec<PlaceholderError>> {
    let mut segments = Vec::new();
    let mut errors = Vec::new();
    let mut rest = text;
    let mut consumed = 0usize;
    while let Some(open) = rest.find("{{") {
        let (before, after_open) = rest.split_at(open);
        if !before.is_empty() {
            segments.push(Segment::Literal(before));
        }
        let at = position(text, consumed + open, field);
        let inner_start = after_open.get(2..).unwrap_or("");
        let line_end = inner_start.find('\n').unwrap_or(inner_start.len());
        match inner_start.get(..line_end).and_then(|line| line.find("}}")) {
            Some(close) => {
                let raw = inner_start.get(..close).unwrap_or("");
                let name = raw.trim();
                match Placeholder::from_name(name) {
                    Some(p) if p.available_for(kind) => segments.push(Segment::Slot(p)),
                    Some(p) => errors.push(PlaceholderError::NotAvailable {
                        name: p.name().to_owned(),
                        kind,
                        at,
                    }),
                    None => errors.push(PlaceholderError::Unknown {
                        name: name.to_owned(),
                        at,
                    }),
                }
                let advance = open + 2 + close + 2;
                consumed += advance;
                rest = rest.get(advance..).unwrap_or("");
            }
            None => {
                errors.push(PlaceholderError::Unclosed { at });
                let advance = open + 2;
                consumed += advance;
                rest = rest.get(advance..).unwrap_or("");
            }
        }
    }
    if !rest.is_empty() {
        segments.push(Segment::Literal(rest));
    }
    if errors.is_empty() {
        Ok(segments)
    } else {
        Err(errors)
    }
}

/// Line and column (1-based, characters) of byte offset `offset` in `text`.
fn position(text: &str, offset: usize, field: Field) -> Position {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    Position {
        field,
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_literals_and_slots_with_spaces() {
        let segs = parse(
            "Hi {{ display_name }}, x{{username}}",
            Field::Body,
            TemplateKind::Warning,
        )
        .unwrap();
        assert_eq!(
            segs,
            vec![
                Segment::Literal("Hi "),
                Segment::Slot(Placeholder::DisplayName),
                Segment::Literal(", x"),
                Segment::Slot(Placeholder::Username),
            ]
        );
    }

    #[test]
    fn unknown_placeholder_is_named_with_its_position() {
        let errs = parse(
            "<p>Hello</p>\n<p>Dear {{dispaly_name}}</p>",
            Field::Body,
            TemplateKind::Warning,
        )
        .unwrap_err();
        assert_eq!(
            errs,
            vec![PlaceholderError::Unknown {
                name: "dispaly_name".into(),
                at: Position {
                    field: Field::Body,
                    line: 2,
                    column: 9
                },
            }]
        );
        assert_eq!(
            errs[0].to_string(),
            "unknown placeholder `dispaly_name` at body line 2, column 9"
        );
    }

    #[test]
    fn unclosed_and_kind_mismatch_are_reported_together() {
        let errs = parse(
            "{{seats_used}} and {{username",
            Field::Subject,
            TemplateKind::Warning,
        )
        .unwrap_err();
        assert_eq!(errs.len(), 2);
        assert!(matches!(errs[0], PlaceholderError::NotAvailable { .. }));
        assert!(matches!(errs[1], PlaceholderError::Unclosed { at } if at.column == 20));
    }

    #[test]
    fn every_name_round_trips() {
        for p in Placeholder::ALL {
            assert_eq!(Placeholder::from_name(p.name()), Some(p));
        }
    }
}
