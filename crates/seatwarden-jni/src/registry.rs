//! Handles: the `long`s Java holds for engines living on the Rust side.
//!
//! Java never sees a pointer. A handle is a key into a registry of
//! `Arc`-shared objects, so a stale, doubled or forged handle is an error
//! (`closed`) instead of undefined behaviour, and `close()` racing a call is
//! harmless: the call holds its own `Arc`, and the object is dropped when the
//! last in-flight call returns.
//!
//! The registry is a `static` of the loaded library. A plugin upgrade loads a
//! second copy of the library (from another temp file, in a new classloader),
//! which gets its own statics: nothing here assumes the library is loaded once
//! per process, and each copy's handles only ever reach the `Native` class of
//! the classloader that loaded it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use parking_lot::RwLock;

/// A table of live objects addressed by handle.
pub(crate) struct Registry<T> {
    next: AtomicI64,
    live: RwLock<BTreeMap<i64, Arc<T>>>,
}

impl<T> Registry<T> {
    /// An empty registry; usable in a `static`.
    pub(crate) const fn new() -> Self {
        Registry {
            next: AtomicI64::new(1),
            live: RwLock::new(BTreeMap::new()),
        }
    }

    /// Stores `value` and returns its handle (never 0, never reused).
    pub(crate) fn insert(&self, value: T) -> i64 {
        let handle = self.next.fetch_add(1, Ordering::Relaxed);
        self.live.write().insert(handle, Arc::new(value));
        handle
    }

    /// The object behind `handle`, if it is still open.
    pub(crate) fn get(&self, handle: i64) -> Option<Arc<T>> {
        self.live.read().get(&handle).cloned()
    }

    /// Forgets `handle`; true if it was open. The object itself is dropped
    /// when the last in-flight user of it lets go.
    pub(crate) fn remove(&self, handle: i64) -> bool {
        // Take the value out under the lock, drop it after releasing the lock:
        // dropping a large index should not block other handles.
        let removed = self.live.write().remove(&handle);
        removed.is_some()
    }

    /// How many handles are open.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn len(&self) -> usize {
        self.live.read().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_distinct_and_never_zero() {
        let reg = Registry::new();
        let a = reg.insert("a");
        let b = reg.insert("b");
        assert_ne!(a, 0);
        assert_ne!(a, b);
        assert_eq!(reg.get(a).as_deref(), Some(&"a"));
        assert_eq!(reg.get(b).as_deref(), Some(&"b"));
        assert_eq!(reg.len(), 2);
    }

    #[test]
    fn closed_and_unknown_handles_are_absent() {
        let reg = Registry::new();
        let a = reg.insert(1);
        assert!(reg.remove(a));
        assert!(!reg.remove(a), "a second close reports nothing to close");
        assert!(reg.get(a).is_none());
        assert!(reg.get(0).is_none());
        assert!(reg.get(-7).is_none());
        assert_eq!(reg.len(), 0);
    }

    #[test]
    fn a_removed_object_lives_until_its_last_user_lets_go() {
        let reg = Registry::new();
        let a = reg.insert(String::from("engine"));
        let in_flight = reg.get(a).unwrap();
        assert!(reg.remove(a));
        assert_eq!(in_flight.as_str(), "engine");
        assert_eq!(Arc::strong_count(&in_flight), 1);
    }

    #[test]
    fn handles_are_not_reused_after_close() {
        let reg = Registry::new();
        let a = reg.insert(1);
        reg.remove(a);
        let b = reg.insert(2);
        assert_ne!(a, b);
        assert!(reg.get(a).is_none());
    }
}
