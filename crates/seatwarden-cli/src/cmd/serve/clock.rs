//! The server's clock: the real one, or a file a test controls.
//!
//! The service reads no clock; the host passes `now` into every call. A
//! test that must make two processes tick "at the same moment", or replay
//! a crash at a known instant, points `--clock-file` (test-only, hidden)
//! at a file holding UTC milliseconds and rewrites it.

use std::path::PathBuf;
use std::sync::Arc;

use seatwarden_core::time::Millis;

/// Where "now" comes from.
#[derive(Clone, Debug)]
pub(crate) enum Clock {
    /// The system clock.
    System,
    /// UTC milliseconds read from a file on every call (tests only). An
    /// unreadable file falls back to the system clock.
    File(Arc<PathBuf>),
}

impl Clock {
    /// The current instant.
    pub(crate) fn now(&self) -> Millis {
        match self {
            Clock::System => system_now(),
            Clock::File(path) => std::fs::read_to_string(path.as_ref())
                .ok()
                .and_then(|text| text.trim().parse::<i64>().ok())
                .map_or_else(system_now, Millis),
        }
    }
}

fn system_now() -> Millis {
    Millis(chrono::Utc::now().timestamp_millis())
}
