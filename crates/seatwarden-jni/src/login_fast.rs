//! The login hook's fast path: no JSON for the common "nothing to do".
//!
//! Why: every login of a Jira node calls the hook, and nearly every one
//! changes nothing (an active, licensed user). Through `serviceLogin` that
//! answer still cost a JSON request written in Java, parsed in Rust, an
//! outcome serialised to JSON and parsed back into Java maps and lists: a
//! dozen short-lived objects per login, which under G1 (Jira's default
//! collector, with its costlier write barriers and allocation paths) put
//! the p99 at 15–16 µs against 2.2 µs under ParallelGC
//! (`shared/reviews/performance-2026-12.md`, issue 19).
//!
//! `serviceLoginFast(handle, username, now)` takes the username as raw
//! UTF-8 and the instant as a `long`, and answers the common case in a few
//! bytes: [`NOTHING_KNOWN`] followed by the user's key, or
//! [`NOTHING_UNKNOWN`] alone. Anything else (a write applied, failed,
//! previewed or skipped, or an error) is the ordinary envelope, which
//! starts with `{`, so the first byte tells the two apart. The decision is
//! the service's `on_login`, the same call `serviceLogin` makes: only the
//! encoding differs, and a Java test checks that both paths answer alike
//! for every kind of outcome.

use seatwarden_core::Millis;
use seatwarden_service::service::LoginOutcome;

use crate::application::{Application, service_error};
use crate::envelope::{self, ErrorKind, WireError};

/// The first byte of a compact answer: nothing to do; the user's key follows.
pub(crate) const NOTHING_KNOWN: u8 = 0;
/// The first byte of a compact answer: nothing to do, and the directory
/// index does not know the user (nothing follows).
pub(crate) const NOTHING_UNKNOWN: u8 = 1;

/// Whether `outcome` is "nothing to do" (the compact answer holds all of it).
fn is_nothing(outcome: &LoginOutcome) -> bool {
    outcome.applied.is_empty()
        && outcome.failed.is_empty()
        && outcome.previewed.is_empty()
        && outcome.skipped.is_empty()
}

/// The compact answer for "nothing to do", or `None` when the outcome
/// needs the envelope.
pub(crate) fn compact(outcome: &LoginOutcome) -> Option<Vec<u8>> {
    if !is_nothing(outcome) {
        return None;
    }
    Some(match &outcome.user {
        Some(user) => {
            let key = user.as_str().as_bytes();
            let mut out = Vec::with_capacity(1 + key.len());
            out.push(NOTHING_KNOWN);
            out.extend_from_slice(key);
            out
        }
        None => vec![NOTHING_UNKNOWN],
    })
}

impl Application {
    /// A login of `username` (raw UTF-8) at `now`: the compact answer or the
    /// envelope (see the module docs).
    pub(crate) fn on_login_fast(&self, username: &[u8], now: i64) -> Vec<u8> {
        let Ok(username) = std::str::from_utf8(username) else {
            return envelope::error(&WireError::new(
                ErrorKind::BadRequest,
                "the username is not UTF-8",
            ));
        };
        match self.service().on_login(username, Millis(now)) {
            Ok(outcome) => compact(&outcome).unwrap_or_else(|| envelope::ok(&outcome)),
            Err(err) => envelope::error(&service_error(err)),
        }
    }
}

#[cfg(test)]
mod tests {
    use seatwarden_core::UserKey;
    use seatwarden_core::operation::Operation;

    use super::*;

    fn outcome(user: Option<&str>) -> LoginOutcome {
        LoginOutcome {
            user: user.map(UserKey::from),
            ..LoginOutcome::default()
        }
    }

    #[test]
    fn nothing_to_do_is_a_tag_and_the_key() {
        assert_eq!(compact(&outcome(Some("K-1"))).unwrap(), b"\0K-1");
        assert_eq!(compact(&outcome(None)).unwrap(), vec![NOTHING_UNKNOWN]);
    }

    #[test]
    fn any_write_needs_the_envelope_whose_first_byte_differs() {
        let mut applied = outcome(Some("K-1"));
        applied.applied.push(Operation::Activate {
            user: UserKey::from("K-1"),
        });
        assert!(compact(&applied).is_none());
        let envelope = envelope::ok(&applied);
        assert_eq!(envelope[0], b'{');
    }
}
