//! The standalone server's sign-in: a one-time admin token, sessions and
//! XSRF tokens.
//!
//! `serve` is not an open port: at start it prints a random admin token
//! (256 bits from the OS RNG). `POST /session` exchanges the token for a
//! session cookie (`HttpOnly`, `SameSite=Strict`, `Path=/`) and an XSRF
//! token the UI sends back in `X-Seatwarden-XSRF` on every state-changing
//! request. The token is valid until the server stops; sessions live in
//! memory, so a restart signs everybody out. Every session acts as one
//! system administrator of the embedded directory.
//!
//! The XSRF token is answered only by the sign-in itself. Browsers send
//! 127.0.0.1 cookies to every port, so any other local listener the
//! admin's browser visits receives the session cookie; if `GET /session`
//! answered the XSRF token to the cookie alone, that cookie would be full
//! admin. The UI keeps the token in its origin's `localStorage` (scoped to
//! this port), and `GET /session` only confirms a session whose cookie
//! *and* XSRF token are presented.
//!
//! Failed sign-ins are limited: after [`MAX_FAILURES`] within
//! [`FAILURE_WINDOW`], every sign-in is refused (429) until the window has
//! moved on, the right token too, so a flood cannot keep guessing (the
//! token is 256 bits; the limit mostly bounds the audit entries and the
//! work). Sign-ins are audited by the caller, successes and failures.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rand::RngCore;
use rand::rngs::OsRng;

/// The session cookie's name before the port ([`Auth::cookie`]):
/// browsers keep one cookie per name and host whatever the port, so two
/// servers on one host with one name would sign each other out.
const COOKIE_PREFIX: &str = "seatwarden_session_";

/// The XSRF header's name.
pub(crate) const XSRF_HEADER: &str = "x-seatwarden-xsrf";

/// How long a session lasts after it was created.
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// At most this many sessions are kept; the oldest goes first.
const MAX_SESSIONS: usize = 256;

/// Failed sign-ins allowed within [`FAILURE_WINDOW`].
pub(crate) const MAX_FAILURES: usize = 10;

/// The window failed sign-ins are counted in.
pub(crate) const FAILURE_WINDOW: Duration = Duration::from_secs(60);

/// What a sign-in attempt came to.
#[derive(Debug)]
pub(crate) enum SignIn {
    /// A new session: `(id, session)`.
    Ok(String, Session),
    /// The token is wrong.
    Wrong,
    /// Too many failures lately: try again after this long.
    Throttled(Duration),
}

/// One signed-in browser.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The XSRF token of this session.
    pub(crate) xsrf: String,
    created: Instant,
}

/// Token, sessions and the acting administrator.
pub(crate) struct Auth {
    cookie: String,
    token: String,
    actor: String,
    sessions: Mutex<HashMap<String, Session>>,
    /// When recent sign-ins failed, oldest first.
    failures: Mutex<std::collections::VecDeque<Instant>>,
}

/// `bytes` random bytes from the OS RNG, hex-encoded.
pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) use seatwarden_service::access::form::constant_time_eq;

impl Auth {
    /// A fresh token; sessions act as `actor`.
    /// `port` names the session cookie (see [`COOKIE_PREFIX`]).
    pub(crate) fn new(actor: String, port: u16) -> Auth {
        Auth {
            cookie: format!("{COOKIE_PREFIX}{port}"),
            token: random_hex(32),
            actor,
            sessions: Mutex::new(HashMap::new()),
            failures: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// The session cookie's name on this server.
    pub(crate) fn cookie(&self) -> &str {
        &self.cookie
    }

    /// The admin token to print.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// The key of the administrator every session acts as.
    pub(crate) fn actor(&self) -> &str {
        &self.actor
    }

    /// Exchanges `presented` for a new session at `now`, unless failures
    /// are being throttled (see the module docs).
    pub(crate) fn attempt(&self, presented: &str, now: Instant) -> SignIn {
        {
            let mut failures = self.failures.lock();
            while failures
                .front()
                .is_some_and(|t| now.saturating_duration_since(*t) >= FAILURE_WINDOW)
            {
                failures.pop_front();
            }
            if failures.len() >= MAX_FAILURES {
                let oldest = failures.front().copied().unwrap_or(now);
                return SignIn::Throttled(
                    FAILURE_WINDOW.saturating_sub(now.saturating_duration_since(oldest)),
                );
            }
            if !constant_time_eq(presented.trim().as_bytes(), self.token.as_bytes()) {
                failures.push_back(now);
                return SignIn::Wrong;
            }
        }
        match self.sign_in(presented) {
            Some((id, session)) => SignIn::Ok(id, session),
            None => SignIn::Wrong,
        }
    }

    /// Exchanges `presented` for a new session: `(session id, session)`,
    /// or `None` when the token is wrong.
    pub(crate) fn sign_in(&self, presented: &str) -> Option<(String, Session)> {
        if !constant_time_eq(presented.trim().as_bytes(), self.token.as_bytes()) {
            return None;
        }
        let id = random_hex(32);
        let session = Session {
            xsrf: random_hex(32),
            created: Instant::now(),
        };
        let mut sessions = self.sessions.lock();
        sessions.retain(|_, s| s.created.elapsed() < SESSION_LIFETIME);
        while sessions.len() >= MAX_SESSIONS {
            let oldest = sessions
                .iter()
                .min_by_key(|(_, s)| s.created)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => sessions.remove(&k),
                None => break,
            };
        }
        sessions.insert(id.clone(), session.clone());
        Some((id, session))
    }

    /// The session named by the request's `Cookie` headers, if valid.
    pub(crate) fn session<'a>(
        &self,
        cookies: impl Iterator<Item = &'a str>,
    ) -> Option<(String, Session)> {
        let id = cookies
            .flat_map(|header| header.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie)
            .map(|(_, value)| value.trim().to_owned())?;
        let sessions = self.sessions.lock();
        let session = sessions.get(&id)?;
        (session.created.elapsed() < SESSION_LIFETIME).then(|| (id.clone(), session.clone()))
    }

    /// Ends session `id`.
    pub(crate) fn sign_out(&self, id: &str) {
        self.sessions.lock().remove(id);
    }

    /// True when `header` carries `session`'s XSRF token.
    pub(crate) fn xsrf_ok(session: &Session, header: Option<&str>) -> bool {
        header.is_some_and(|h| constant_time_eq(h.trim().as_bytes(), session.xsrf.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_sessions_and_xsrf() {
        let auth = Auth::new("K".into(), 8080);
        assert_eq!(auth.token().len(), 64);
        assert!(auth.sign_in("wrong").is_none());
        let (id, session) = auth.sign_in(auth.token()).unwrap();
        // Only this port's cookie names the session.
        let elsewhere = format!("seatwarden_session_8081={id}");
        assert!(auth.session([elsewhere.as_str()].into_iter()).is_none());
        let cookie = format!("other=1; seatwarden_session_8080={id}");
        let (found, s) = auth.session([cookie.as_str()].into_iter()).unwrap();
        assert_eq!(found, id);
        assert!(Auth::xsrf_ok(&s, Some(&session.xsrf)));
        assert!(!Auth::xsrf_ok(&s, Some("nope")));
        assert!(!Auth::xsrf_ok(&s, None));
        auth.sign_out(&id);
        assert!(auth.session([cookie.as_str()].into_iter()).is_none());
    }

    #[test]
    fn failed_sign_ins_are_throttled_for_the_window_then_allowed_again() {
        let auth = Auth::new("K".into(), 8080);
        let t0 = Instant::now();
        for _ in 0..MAX_FAILURES {
            assert!(matches!(auth.attempt("wrong", t0), SignIn::Wrong));
        }
        // Throttled, the right token too.
        assert!(matches!(
            auth.attempt(auth.token(), t0),
            SignIn::Throttled(d) if d == FAILURE_WINDOW
        ));
        let later = t0 + FAILURE_WINDOW;
        assert!(matches!(auth.attempt(auth.token(), later), SignIn::Ok(..)));
    }
}
