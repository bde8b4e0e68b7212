//! Markers: small keyed values with an expiry, claimed at most once.
//!
//! Why one generic facility rather than a table per feature: the access
//! links (issue 21) need three things that are all "a short value under a
//! key until a date": the per-installation signing secret (claimed once by
//! whichever node needs it first, so two nodes never sign with different
//! secrets), the links already used (a link is single use until it
//! expires), and the webhooks' event ids (a retried delivery answers the
//! first result). Each is a claim that must be atomic across nodes, which
//! is exactly [`crate::store::Store::claim_marker`]; one contract,
//! one conformance check ([`crate::store::conformance::markers_claim_once`])
//! and one table per backend serve them all.
//!
//! A marker whose `expires_at` is at or before `now` no longer exists: a
//! claim replaces it and a listing skips it. Values are never secret-free
//! by contract (the signing secret is one), so no store error, log line or
//! audit entry may carry a marker's value; errors name the kind only.

use seatwarden_core::Millis;
use serde::{Deserialize, Serialize};

/// The kind of the anonymous routes' shared rate counters
/// ([`crate::store::Store::count_request`]): the value is the count so far,
/// the key `<counter>@<window end ms>`.
pub const RATE: &str = "rate";

/// One request to count on a shared rate counter
/// ([`crate::store::Store::count_request`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateCount<'a> {
    /// The counter (`page:ip:<hash>`, `page:all`, ...).
    pub counter: &'a str,
    /// When the counter lapses (UTC ms); with the counter it names the
    /// window counted in. The anonymous routes' limit passes one minute
    /// after its window's end, so the next window can still weigh it
    /// (`access/limit.rs`).
    pub window_end: Millis,
    /// How many requests the window admits.
    pub limit: u32,
    /// The caller's clock (counters of windows ended by then go).
    pub now: Millis,
}

impl RateCount<'_> {
    /// The key of the counter's marker for its window.
    pub fn key(&self) -> String {
        format!("{}@{}", self.counter, self.window_end.0)
    }
}

/// The instant that never comes: a marker that lasts until replaced.
pub const NEVER: Millis = Millis(i64::MAX);

/// One marker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Marker {
    /// What it marks (`secret`, `link-used`, `hook-event`, `hook`, ...):
    /// claims and listings are per kind.
    pub kind: String,
    /// Unique within the kind.
    pub key: String,
    /// The value (may be a secret: never logged).
    pub value: String,
    /// When it lapses (UTC ms); [`NEVER`] for "until replaced".
    pub expires_at: Millis,
}

impl Marker {
    /// A marker of `kind` under `key`.
    pub fn new(kind: &str, key: &str, value: impl Into<String>, expires_at: Millis) -> Marker {
        Marker {
            kind: kind.to_owned(),
            key: key.to_owned(),
            value: value.into(),
            expires_at,
        }
    }

    /// Whether it still holds at `now`.
    pub fn live(&self, now: Millis) -> bool {
        self.expires_at > now
    }
}
