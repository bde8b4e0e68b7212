//! The anonymous routes' rate limit: per client address and overall.
//!
//! Why both: per address stops one client from hammering the page or the
//! webhook (each refused link is an audit entry); the global limit bounds
//! the work and the log when the requests come from many addresses. The
//! windows slide over the last minute. Time is the caller's `now` (the
//! service reads no clock), and the table of addresses is bounded: when it
//! is full, addresses with no request in the window go first, and if none
//! can go the request is refused (fail closed) rather than growing memory.

use std::collections::{HashMap, VecDeque};

use seatwarden_core::Millis;

/// The window the limits count in.
pub const WINDOW_MS: i64 = 60_000;

/// At most this many client addresses are tracked.
const MAX_CLIENTS: usize = 10_000;

/// Limits for one kind of anonymous request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Requests per client address per window.
    pub per_client: usize,
    /// Requests from everyone per window.
    pub global: usize,
}

/// A sliding-window limiter.
#[derive(Debug)]
pub struct Limiter {
    limits: Limits,
    clients: HashMap<String, VecDeque<Millis>>,
    all: VecDeque<Millis>,
}

fn forget_before(q: &mut VecDeque<Millis>, cutoff: i64) {
    while q.front().is_some_and(|t| t.0 <= cutoff) {
        q.pop_front();
    }
}

impl Limiter {
    /// An empty limiter.
    pub fn new(limits: Limits) -> Limiter {
        Limiter {
            limits,
            clients: HashMap::new(),
            all: VecDeque::new(),
        }
    }

    /// Counts a request from `client` at `now`; `false` when it is over a
    /// limit (then it is not counted).
    pub fn admit(&mut self, client: &str, now: Millis) -> bool {
        let cutoff = now.0.saturating_sub(WINDOW_MS);
        forget_before(&mut self.all, cutoff);
        if self.all.len() >= self.limits.global {
            return false;
        }
        if !self.clients.contains_key(client) && self.clients.len() >= MAX_CLIENTS {
            self.clients.retain(|_, q| {
                forget_before(q, cutoff);
                !q.is_empty()
            });
            if self.clients.len() >= MAX_CLIENTS {
                return false;
            }
        }
        let q = self.clients.entry(client.to_owned()).or_default();
        forget_before(q, cutoff);
        if q.len() >= self.limits.per_client {
            return false;
        }
        q.push_back(now);
        self.all.push_back(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_client_then_global_then_the_window_moves_on() {
        let mut l = Limiter::new(Limits {
            per_client: 2,
            global: 3,
        });
        let t = Millis(1_000_000);
        assert!(l.admit("a", t));
        assert!(l.admit("a", t));
        assert!(!l.admit("a", t), "third from one client");
        assert!(l.admit("b", t));
        assert!(!l.admit("c", t), "fourth overall");
        let later = Millis(t.0 + WINDOW_MS);
        assert!(l.admit("a", later), "the window moved on");
    }
}
