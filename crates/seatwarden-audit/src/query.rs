//! Queries over entries and runs: filters, keyset paging, summary cards.
//!
//! The filter types here *are* the semantics: the in-memory store calls
//! [`AuditFilter::matches`] and [`RunFilter::matches`], and the SQLite store
//! translates the same fields to SQL and is tested against them. Text filters
//! are case-insensitive substring matches over ASCII letters (SQLite's
//! `lower()` folds ASCII only, so the reference does the same).
//!
//! Paging is by keyset, never `OFFSET`: a page ends with a [`Cursor`] holding
//! the last row's `(time, id)` and the next page starts strictly below it, so
//! page 1000 costs what page 1 costs and rows appended meanwhile do not shift
//! what the reader sees.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use seatwarden_core::Millis;

use crate::entry::{Action, PolicyId, Status, StoredEntry};
use crate::run::{OperationRun, RunId, RunKind, RunStatus};

/// Page size when a query does not say.
pub const DEFAULT_PAGE: u32 = 50;
/// The largest page a query may ask for.
pub const MAX_PAGE: u32 = 1_000;
/// The summary cards' window: the last 24 hours.
pub const SUMMARY_WINDOW_MS: i64 = 24 * 60 * 60 * 1_000;

/// Where a page ended: the last row's time and id. Rows strictly "older"
/// (earlier time, or same time and smaller id) come next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Cursor {
    /// The last row's time.
    pub at: Millis,
    /// The last row's id.
    pub id: i64,
}

impl Cursor {
    /// Whether a row at `(at, id)` comes after this cursor in newest-first order.
    pub fn admits(&self, at: Millis, id: i64) -> bool {
        (at, id) < (self.at, self.id)
    }
}

/// A cursor token that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid page cursor `{0}`")]
pub struct CursorError(pub String);

impl fmt::Display for Cursor {
    /// The opaque token the API hands out: `<time>.<id>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.at.0, self.id)
    }
}

impl FromStr for Cursor {
    type Err = CursorError;

    fn from_str(s: &str) -> Result<Cursor, CursorError> {
        let bad = || CursorError(s.chars().take(40).collect());
        let (at, id) = s.split_once('.').ok_or_else(bad)?;
        Ok(Cursor {
            at: Millis(at.parse().map_err(|_| bad())?),
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// One page of results, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The rows.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

fn clamp_limit(limit: u32) -> usize {
    let limit = if limit == 0 { DEFAULT_PAGE } else { limit };
    usize::try_from(limit.min(MAX_PAGE)).unwrap_or(50)
}

/// Lower-cases ASCII letters; the folding every text filter uses.
pub fn fold(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// A text filter's folded needle; empty text means "no filter".
fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_deref().filter(|t| !t.is_empty()).map(fold)
}

fn contains_folded(hay: &str, needle_folded: &str) -> bool {
    if needle_folded.is_empty() {
        return true;
    }
    hay.to_ascii_lowercase().contains(needle_folded)
}

/// Which audit entries to show. Empty lists and `None` mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditFilter {
    /// Any of these actions.
    pub actions: Vec<Action>,
    /// Any of these statuses.
    pub statuses: Vec<Status>,
    /// Entries of runs of any of these kinds (entries without a run never match).
    pub run_kinds: Vec<RunKind>,
    /// Substring of the actor's key, username or policy.
    pub actor: Option<String>,
    /// Substring of the target's key, username or group.
    pub target: Option<String>,
    /// Substring of the description or reason.
    pub text: Option<String>,
    /// At or after this instant.
    pub from: Option<Millis>,
    /// Strictly before this instant.
    pub until: Option<Millis>,
    /// Entries of this run.
    pub run: Option<RunId>,
    /// Entries about this policy.
    pub policy: Option<PolicyId>,
}

impl AuditFilter {
    /// Everything.
    pub fn all() -> AuditFilter {
        AuditFilter::default()
    }

    /// Whether an entry passes. `run_kind` looks up a run's kind (only
    /// consulted when the filter names run kinds).
    pub fn matches(&self, e: &StoredEntry, run_kind: &dyn Fn(RunId) -> Option<RunKind>) -> bool {
        let entry = &e.entry;
        if !self.actions.is_empty() && !self.actions.contains(&entry.action) {
            return false;
        }
        if !self.statuses.is_empty() && !self.statuses.contains(&entry.status) {
            return false;
        }
        if self.from.is_some_and(|from| entry.at < from) {
            return false;
        }
        if self.until.is_some_and(|until| entry.at >= until) {
            return false;
        }
        if self.run.is_some() && entry.run != self.run {
            return false;
        }
        if self.policy.is_some() && entry.policy != self.policy {
            return false;
        }
        if !self.run_kinds.is_empty() {
            match entry.run.and_then(run_kind) {
                Some(kind) if self.run_kinds.contains(&kind) => {}
                _ => return false,
            }
        }
        if let Some(needle) = non_empty(&self.actor) {
            let hit = match &entry.actor {
                crate::Actor::User { key, name } => {
                    contains_folded(key.as_str(), &needle)
                        || name.as_deref().is_some_and(|n| contains_folded(n, &needle))
                }
                crate::Actor::Automation { policy } => policy
                    .as_ref()
                    .is_some_and(|p| contains_folded(p.as_str(), &needle)),
            };
            if !hit {
                return false;
            }
        }
        if let Some(needle) = non_empty(&self.target) {
            let t = &entry.target;
            let hit = t
                .user
                .as_ref()
                .is_some_and(|u| contains_folded(u.as_str(), &needle))
                || t.user_name
                    .as_deref()
                    .is_some_and(|n| contains_folded(n, &needle))
                || t.group
                    .as_ref()
                    .is_some_and(|g| contains_folded(g.as_str(), &needle));
            if !hit {
                return false;
            }
        }
        if let Some(needle) = non_empty(&self.text) {
            let hit = contains_folded(&entry.description, &needle)
                || entry
                    .reason
                    .as_deref()
                    .is_some_and(|r| contains_folded(r, &needle));
            if !hit {
                return false;
            }
        }
        true
    }
}

/// A page request over audit entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// Which entries.
    pub filter: AuditFilter,
    /// Continue after this cursor (the previous page's `next`).
    pub after: Option<Cursor>,
    /// Page size; 0 means [`DEFAULT_PAGE`], capped at [`MAX_PAGE`].
    pub limit: u32,
}

impl AuditQuery {
    /// The first page of a filter.
    pub fn first(filter: AuditFilter, limit: u32) -> AuditQuery {
        AuditQuery {
            filter,
            after: None,
            limit,
        }
    }

    /// The page size after defaults and caps.
    pub fn page_size(&self) -> usize {
        clamp_limit(self.limit)
    }
}

/// Which runs to show. Empty lists and `None` mean "any".
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunFilter {
    /// Any of these kinds.
    pub kinds: Vec<RunKind>,
    /// Any of these statuses.
    pub statuses: Vec<RunStatus>,
    /// Substring of the name, the initiator or the policy.
    pub text: Option<String>,
    /// Started at or after.
    pub from: Option<Millis>,
    /// Started strictly before.
    pub until: Option<Millis>,
    /// Runs of this policy.
    pub policy: Option<PolicyId>,
}

impl RunFilter {
    /// Whether a run passes.
    pub fn matches(&self, run: &OperationRun) -> bool {
        if !self.kinds.is_empty() && !self.kinds.contains(&run.kind) {
            return false;
        }
        if !self.statuses.is_empty() && !self.statuses.contains(&run.status) {
            return false;
        }
        if self.from.is_some_and(|from| run.started_at < from) {
            return false;
        }
        if self.until.is_some_and(|until| run.started_at >= until) {
            return false;
        }
        if self.policy.is_some() && run.policy != self.policy {
            return false;
        }
        if let Some(needle) = non_empty(&self.text) {
            let initiator = match &run.initiator {
                crate::Initiator::Manual { user, name } => {
                    contains_folded(user.as_str(), &needle)
                        || name.as_deref().is_some_and(|n| contains_folded(n, &needle))
                }
                crate::Initiator::Automated => contains_folded("automated", &needle),
            };
            let hit = contains_folded(&run.name, &needle)
                || initiator
                || run
                    .policy
                    .as_ref()
                    .is_some_and(|p| contains_folded(p.as_str(), &needle));
            if !hit {
                return false;
            }
        }
        true
    }
}

/// A page request over runs (newest started first).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunQuery {
    /// Which runs.
    pub filter: RunFilter,
    /// Continue after this cursor.
    pub after: Option<Cursor>,
    /// Page size; 0 means [`DEFAULT_PAGE`], capped at [`MAX_PAGE`].
    pub limit: u32,
}

impl RunQuery {
    /// The page size after defaults and caps.
    pub fn page_size(&self) -> usize {
        clamp_limit(self.limit)
    }
}

/// The figures at the top of the audit page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryCards {
    /// Start of the window (now − 24 h).
    pub window_start: Millis,
    /// Runs started in the window.
    pub operations: u64,
    /// Of those, succeeded.
    pub succeeded: u64,
    /// `succeeded` as a percentage of `operations` (one decimal; 0 when none).
    pub succeeded_pct: f64,
    /// Of those, failed.
    pub failed: u64,
    /// `failed` as a percentage of `operations`.
    pub failed_pct: f64,
    /// Of those, partially failed.
    pub partially_failed: u64,
    /// `partially_failed` as a percentage of `operations`.
    pub partially_failed_pct: f64,
    /// Runs writing right now (whenever they started).
    pub in_progress: u64,
    /// Runs held for approval (whenever they started).
    pub awaiting_approval: u64,
    /// Distinct users with a successful change logged in the window.
    pub users_affected: u64,
}

/// `part / whole` as a percentage rounded to one decimal; 0 when `whole` is 0.
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts far below 2^52; a percentage needs no more precision"
    )]
    let p = part as f64 * 100.0 / whole as f64;
    (p * 10.0).round() / 10.0
}

impl SummaryCards {
    /// Computes the cards from runs (those started in the window plus every
    /// run still in progress or awaiting approval; duplicates are ignored)
    /// and the distinct users changed in the window.
    pub fn tally<'a>(
        now: Millis,
        runs: impl IntoIterator<Item = &'a OperationRun>,
        users_affected: u64,
    ) -> SummaryCards {
        let window_start = Millis(now.0.saturating_sub(SUMMARY_WINDOW_MS));
        let mut cards = SummaryCards {
            window_start,
            operations: 0,
            succeeded: 0,
            succeeded_pct: 0.0,
            failed: 0,
            failed_pct: 0.0,
            partially_failed: 0,
            partially_failed_pct: 0.0,
            in_progress: 0,
            awaiting_approval: 0,
            users_affected,
        };
        let mut seen = HashSet::new();
        for run in runs {
            if !seen.insert(run.id) {
                continue;
            }
            match run.status {
                RunStatus::InProgress => cards.in_progress += 1,
                RunStatus::AwaitingApproval => cards.awaiting_approval += 1,
                _ => {}
            }
            if run.started_at < window_start || run.started_at > now {
                continue;
            }
            cards.operations += 1;
            match run.status {
                RunStatus::Succeeded => cards.succeeded += 1,
                RunStatus::Failed => cards.failed += 1,
                RunStatus::PartiallyFailed => cards.partially_failed += 1,
                _ => {}
            }
        }
        cards.succeeded_pct = percent(cards.succeeded, cards.operations);
        cards.failed_pct = percent(cards.failed, cards.operations);
        cards.partially_failed_pct = percent(cards.partially_failed, cards.operations);
        cards
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, AuditEntry, AuditId, Initiator, NewRun, Target};

    fn entry(id: i64, at: i64, action: Action, status: Status) -> StoredEntry {
        StoredEntry {
            id: AuditId(id),
            entry: AuditEntry::new(
                Millis(at),
                Actor::user("ADMIN1", Some("Root".into())),
                action,
                status,
            )
            .with_target(Target::user(
                "JIRAUSER1".into(),
                Some("Alice.Example".into()),
            ))
            .with_description("group `jira-users`"),
        }
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor {
            at: Millis(-5),
            id: 42,
        };
        assert_eq!(c.to_string().parse::<Cursor>(), Ok(c));
        assert!("12".parse::<Cursor>().is_err());
        assert!("a.b".parse::<Cursor>().is_err());
        assert!(c.admits(Millis(-5), 41));
        assert!(!c.admits(Millis(-5), 42));
        assert!(c.admits(Millis(-6), 100));
        assert!(!c.admits(Millis(-4), 1));
    }

    #[test]
    fn filter_fields_each_narrow() {
        let e = entry(1, 1_000, Action::UserDeactivated, Status::Success);
        let none = |_| None;
        assert!(AuditFilter::all().matches(&e, &none));
        let mut f = AuditFilter {
            actions: vec![Action::AddedToGroup],
            ..AuditFilter::default()
        };
        assert!(!f.matches(&e, &none));
        f.actions.push(Action::UserDeactivated);
        assert!(f.matches(&e, &none));
        f.target = Some("alice".into());
        assert!(f.matches(&e, &none));
        f.actor = Some("ROOT".into());
        assert!(f.matches(&e, &none));
        f.text = Some("JIRA-USERS".into());
        assert!(f.matches(&e, &none));
        f.from = Some(Millis(1_000));
        f.until = Some(Millis(1_001));
        assert!(f.matches(&e, &none));
        f.until = Some(Millis(1_000));
        assert!(!f.matches(&e, &none));
        let kinds = AuditFilter {
            run_kinds: vec![RunKind::Import],
            ..AuditFilter::default()
        };
        assert!(!kinds.matches(&e, &none));
        let mut in_run = e.clone();
        in_run.entry.run = Some(RunId(7));
        assert!(kinds.matches(&in_run, &|_| Some(RunKind::Import)));
        assert!(!kinds.matches(&in_run, &|_| Some(RunKind::Purge)));
    }

    #[test]
    fn summary_counts_the_window_and_current_runs() {
        let now = Millis(10 * SUMMARY_WINDOW_MS);
        let mk = |id, started: i64, status| {
            let mut r = OperationRun::from_new(
                RunId(id),
                &NewRun::new(
                    RunKind::ScheduledCleanup,
                    "x",
                    Initiator::Automated,
                    Millis(started),
                ),
            );
            r.status = status;
            r
        };
        let runs = [
            mk(1, now.0 - 1_000, RunStatus::Succeeded),
            mk(2, now.0 - 2_000, RunStatus::Succeeded),
            mk(3, now.0 - 3_000, RunStatus::Failed),
            mk(4, now.0 - 2 * SUMMARY_WINDOW_MS, RunStatus::InProgress),
            mk(4, now.0 - 2 * SUMMARY_WINDOW_MS, RunStatus::InProgress),
        ];
        let cards = SummaryCards::tally(now, &runs, 9);
        assert_eq!(cards.operations, 3);
        assert_eq!(cards.succeeded, 2);
        assert_eq!(cards.succeeded_pct, 66.7);
        assert_eq!(cards.failed_pct, 33.3);
        assert_eq!(cards.in_progress, 1);
        assert_eq!(cards.users_affected, 9);
    }
}
