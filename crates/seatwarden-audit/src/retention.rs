//! Retention: how long entries live, and the guarded "clear all".
//!
//! Purging is itself an audited action: whichever store executes a purge
//! appends a [`crate::Action::LogsPurged`] entry built by
//! [`PurgeReport::audit_entry`] in the same transaction, so the log always
//! says how many entries went, when and on whose word. Runs still in
//! progress or awaiting approval are never purged.

use std::fmt;

use serde::{Deserialize, Serialize};

use seatwarden_core::Millis;

use crate::entry::{Action, Actor, AuditEntry, Status};

/// The exact text an administrator must type (or the UI must send) to clear
/// every audit record.
pub const CLEAR_CONFIRMATION: &str = "CLEAR ALL AUDIT LOGS";

/// Proof that "clear all" was confirmed. The only way to get one is
/// [`ClearConfirmation::parse`] with [`CLEAR_CONFIRMATION`], so a store
/// method that takes it cannot be called by accident.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClearConfirmation {
    _private: (),
}

/// The confirmation text was wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("clearing the audit log needs the confirmation text `{CLEAR_CONFIRMATION}`")]
pub struct ConfirmationError;

impl ClearConfirmation {
    /// Accepts exactly [`CLEAR_CONFIRMATION`] (surrounding whitespace ignored).
    pub fn parse(text: &str) -> Result<ClearConfirmation, ConfirmationError> {
        if text.trim() == CLEAR_CONFIRMATION {
            Ok(ClearConfirmation { _private: () })
        } else {
            Err(ConfirmationError)
        }
    }
}

/// "Delete entries older than N days".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Days to keep; at least 1.
    pub days: u32,
}

impl Retention {
    /// A retention of `days` days (0 is raised to 1: "keep nothing" is
    /// what [`ClearConfirmation`] is for).
    pub fn days(days: u32) -> Retention {
        Retention { days: days.max(1) }
    }

    /// Entries strictly before this instant go.
    pub fn cutoff(self, now: Millis) -> Millis {
        now.minus_days(self.days.max(1))
    }
}

/// Which purge ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PurgeScope {
    /// Retention: everything before the cutoff.
    OlderThan {
        /// The retention applied.
        days: u32,
    },
    /// A confirmed "clear all".
    All,
}

/// What a purge removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurgeReport {
    /// Audit entries deleted.
    pub entries: u64,
    /// Finished runs deleted (with their journals and undo records).
    pub runs: u64,
}

impl PurgeReport {
    /// The entry that records this purge.
    pub fn audit_entry(&self, scope: PurgeScope, actor: Actor, now: Millis) -> AuditEntry {
        let what = match scope {
            PurgeScope::OlderThan { days } => format!("older than {days} days"),
            PurgeScope::All => "all, on confirmation".to_owned(),
        };
        AuditEntry::new(now, actor, Action::LogsPurged, Status::Success).with_description(format!(
            "purged {} audit entries and {} runs ({what})",
            self.entries, self.runs
        ))
    }
}

impl fmt::Display for PurgeReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} entries, {} runs", self.entries, self.runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_phrase_confirms() {
        assert!(ClearConfirmation::parse(CLEAR_CONFIRMATION).is_ok());
        assert!(ClearConfirmation::parse(&format!("  {CLEAR_CONFIRMATION}\n")).is_ok());
        assert_eq!(ClearConfirmation::parse("yes"), Err(ConfirmationError));
        assert!(ClearConfirmation::parse(&CLEAR_CONFIRMATION.to_lowercase()).is_err());
    }

    #[test]
    fn cutoff_is_n_days_back_and_never_now() {
        let now = Millis(100 * seatwarden_core::time::DAY_MS);
        assert_eq!(
            Retention::days(90).cutoff(now),
            Millis(10 * seatwarden_core::time::DAY_MS)
        );
        assert_eq!(Retention::days(0).days, 1);
    }

    #[test]
    fn purge_entry_records_counts() {
        let r = PurgeReport {
            entries: 12,
            runs: 3,
        };
        let e = r.audit_entry(
            PurgeScope::OlderThan { days: 90 },
            Actor::system(),
            Millis(5),
        );
        assert_eq!(e.action, Action::LogsPurged);
        assert!(e.description.contains("12 audit entries"));
        assert!(e.description.contains("3 runs"));
    }
}
