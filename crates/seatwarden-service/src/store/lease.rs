//! Leases: at most one process runs a policy at a time.
//!
//! A Data Center cluster schedules each job on one node, but a tick can
//! overrun into the next, an admin can press "run now" on another node, and
//! two standalone processes can share one database file. A lease names its
//! owner and expires, so a crashed owner blocks a policy for at most one
//! lease period.

use std::fmt;

use serde::{Deserialize, Serialize};

use seatwarden_audit::PolicyId;
use seatwarden_core::Millis;

/// Who holds a lease: unique per process (node id, process id, a random part).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LeaseOwner(pub String);

impl fmt::Display for LeaseOwner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A lease held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// The policy.
    pub policy: PolicyId,
    /// The holder.
    pub owner: LeaseOwner,
    /// When it lapses unless renewed.
    pub expires_at: Millis,
}

/// The answer to an acquire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum LeaseOutcome {
    /// We hold it now.
    Acquired(Lease),
    /// Someone else holds it.
    Held(Lease),
}

impl LeaseOutcome {
    /// Whether we got it.
    pub fn is_acquired(&self) -> bool {
        matches!(self, LeaseOutcome::Acquired(_))
    }
}
