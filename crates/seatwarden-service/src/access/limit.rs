//! The anonymous routes' rate limit: per client address and overall, for
//! the whole cluster.
//!
//! Why both: per address stops one client from hammering the page or the
//! webhook (each refused link is an audit entry); the global limit bounds
//! the work and the log when the requests come from many addresses.
//!
//! Why two layers ([`Shared`]): the limits are the cluster's, so the count
//! lives in the store ([`Store::count_request`], one small counter row per
//! address and minute, atomic across nodes), else N nodes would admit N
//! times the limit. But a flood must not cost a database write per
//! request, so each node first asks its own in-memory [`Limiter`] with the
//! same limits: a request it refuses never reaches the store, which then
//! sees at most the limits' worth of requests per node and minute.
//!
//! The local windows slide over the last minute. The shared ones slide
//! too, by weighing two minute counters (a counter per address and minute
//! is one row; an exact sliding window would be one row per request): a
//! request at `f` (0..1) into a minute is admitted while this minute's
//! count stays below the limit less the last minute's count weighted by
//! `1 - f`, rounded up. So a burst that straddles a minute's boundary gets
//! the limit once, not twice: the previous minute's count still weighs
//! (almost) fully just after the boundary, and within any `d` seconds at
//! most `limit * (1 + d / 60)` pass (the fixed minutes let `2 * limit`
//! through in a moment). Each minute's counter is kept one minute past
//! its end for that. The weighed count is read, then this minute's counter
//! is raised by the store's atomic count with the lowered limit: the
//! previous minute no longer changes, so the check is still one atomic
//! step. Time is the
//! caller's `now` (the service reads no clock), and the table of addresses
//! is bounded: when it is full, addresses with no request in the window go
//! first, and if none can go the request is refused (fail closed) rather
//! than growing memory. Addresses are hashed before they become counter
//! keys, so the store holds no client address.
//!
//! When the store cannot count (down, contention), the node's own limit is
//! the answer: the page stays up and still limited, per node, rather than
//! failing closed for everyone because of the database.

use std::collections::{HashMap, VecDeque};

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use seatwarden_core::Millis;

use crate::store::Store;
use crate::store::marker::{RATE, RateCount};

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

/// A node's pre-check in front of the cluster's count (see the module docs).
pub struct Shared {
    name: &'static str,
    limits: Limits,
    local: Mutex<Limiter>,
}

impl Shared {
    /// The limiter of the anonymous route `name` (`page`, `hooks`).
    pub fn new(name: &'static str, limits: Limits) -> Shared {
        Shared {
            name,
            limits,
            local: Mutex::new(Limiter::new(limits)),
        }
    }

    /// Counts a request from `client` at `now` on this node and in the
    /// cluster; `false` when either says it is over a limit.
    pub fn admit(&self, store: &dyn Store, client: &str, now: Millis) -> bool {
        if !self.local.lock().admit(client, now) {
            return false;
        }
        let per_client = u32::try_from(self.limits.per_client).unwrap_or(u32::MAX);
        let global = u32::try_from(self.limits.global).unwrap_or(u32::MAX);
        let client_counter = format!("{}:ip:{}", self.name, client_hash(client));
        let all_counter = format!("{}:all", self.name);
        // The address first: a client over its own limit does not use up
        // the global count.
        let count = |counter: &str, limit: u32| {
            let (this, last) = minute_counters(counter, now);
            let held = store
                .marker(RATE, &last, now)?
                .and_then(|m| m.value.parse::<u32>().ok())
                .unwrap_or(0);
            store.count_request(&RateCount {
                counter,
                window_end: this,
                limit: limit.saturating_sub(weighed(held, now)),
                now,
            })
        };
        let shared = count(&client_counter, per_client).and_then(|ok| {
            if ok {
                count(&all_counter, global)
            } else {
                Ok(false)
            }
        });
        shared.unwrap_or(true)
    }
}

/// This minute's counter's lapse (one minute after the minute ends, so the
/// next minute can weigh it), and the key of the last minute's counter.
fn minute_counters(counter: &str, now: Millis) -> (Millis, String) {
    let end = now.0 - now.0.rem_euclid(WINDOW_MS) + WINDOW_MS;
    let last = RateCount {
        counter,
        window_end: Millis(end),
        limit: 0,
        now,
    };
    (Millis(end + WINDOW_MS), last.key())
}

/// The last minute's `count` weighted by how much of it the sliding
/// minute ending `now` still covers, rounded up (never admits more).
fn weighed(count: u32, now: Millis) -> u32 {
    let left = WINDOW_MS - now.0.rem_euclid(WINDOW_MS);
    let w = (i64::from(count) * left + WINDOW_MS - 1) / WINDOW_MS;
    u32::try_from(w).unwrap_or(count)
}

/// A client address as a counter key: a hash, so no address is stored.
fn client_hash(client: &str) -> String {
    let digest = Sha256::digest(client.as_bytes());
    hex::encode(digest.get(..12).unwrap_or_default())
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

    #[test]
    fn the_shared_count_holds_across_limiters_over_one_store() {
        let store = crate::store::MemoryStore::new();
        let limits = Limits {
            per_client: 4,
            global: 100,
        };
        let (a, b) = (Shared::new("page", limits), Shared::new("page", limits));
        let t = Millis(1_000_000);
        let admitted = (0..6)
            .filter(|i| {
                let node = if i % 2 == 0 { &a } else { &b };
                node.admit(&store, "192.0.2.1", t)
            })
            .count();
        assert_eq!(admitted, 4, "two nodes, one limit");
        assert!(
            a.admit(&store, "192.0.2.2", t),
            "another client counts apart"
        );
    }

    /// Nodes sharing one store and a client bursting just before and just
    /// after a minute's boundary: the cluster admits the limit once in
    /// those two seconds, not twice (fixed minutes admitted 20); halfway
    /// into the next minute half the last minute's count still weighs; a
    /// minute on, only that minute's count weighs.
    #[test]
    fn the_shared_count_slides_over_a_minute_boundary() {
        let store = crate::store::MemoryStore::new();
        let limits = Limits {
            per_client: 10,
            global: 1_000,
        };
        // Eight nodes: each node's own sliding limit (which counts what it
        // let through to the store, admitted or not) never binds here.
        let nodes: Vec<Shared> = (0..8).map(|_| Shared::new("page", limits)).collect();
        let burst = |at: i64, n: usize| {
            (0..n)
                .filter(|i| {
                    nodes
                        .get(i % nodes.len())
                        .is_some_and(|node| node.admit(&store, "192.0.2.1", Millis(at)))
                })
                .count()
        };
        let boundary = 1_800_000_000_000 - 1_800_000_000_000 % WINDOW_MS;
        assert_eq!(
            burst(boundary - 1_000, 20),
            10,
            "the limit before the boundary"
        );
        assert_eq!(
            burst(boundary + 1_000, 20),
            0,
            "and nothing more just after it"
        );
        // Half a minute on: 10 weighed by 30 s left of 60 is 5.
        assert_eq!(burst(boundary + 30_000, 20), 5);
        // The minute after: only this minute's 5 weigh, by 29/60: 3.
        assert_eq!(burst(boundary + 2 * WINDOW_MS - 29_000, 20), 7);
        assert_eq!(weighed(10, Millis(boundary + 1)), 10);
        assert_eq!(weighed(10, Millis(boundary + 59_999)), 1);
        assert_eq!(weighed(0, Millis(boundary)), 0);
    }

    #[test]
    fn addresses_are_hashed_before_they_become_keys() {
        let key = client_hash("192.0.2.1");
        assert_eq!(key.len(), 24);
        assert!(!key.contains("192"));
    }
}
