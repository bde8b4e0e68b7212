//! Per-installation signing secrets, kept as store markers.
//!
//! The first node that needs a secret claims it ([`crate::store::Store::claim_marker`]),
//! so every node of a cluster signs and verifies with the same one; a
//! rotation replaces it, after which everything signed before stops
//! verifying. Secrets are 256 bits from the OS random source, held as hex,
//! and never leave this module except into an HMAC (or, for a webhook,
//! once in the answer that created or rotated it).

use rand::RngCore;
use rand::rngs::OsRng;

use seatwarden_core::Millis;

use crate::store::{Marker, NEVER, Store, StoreResult};

/// The marker kind secrets are kept under.
pub const KIND: &str = "secret";

/// The access links' secret.
pub const LINKS: &str = "access-links";

/// 32 random bytes, hex-encoded: a secret.
pub fn fresh() -> String {
    random_hex(32)
}

/// `bytes` random bytes, hex-encoded (hook ids, link nonces).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// The secret `name`, created on first use.
pub fn get_or_create(store: &dyn Store, name: &str, now: Millis) -> StoreResult<String> {
    let mine = Marker::new(KIND, name, fresh(), NEVER);
    Ok(match store.claim_marker(&mine, now)? {
        Some(existing) => existing.value,
        None => mine.value,
    })
}

/// The secret `name` if it exists (a webhook's, made when it was created).
pub fn get(store: &dyn Store, name: &str, now: Millis) -> StoreResult<Option<String>> {
    Ok(store
        .list_markers(KIND, now)?
        .into_iter()
        .find(|m| m.key == name)
        .map(|m| m.value))
}

/// Replaces the secret `name` with a fresh one; returns it.
pub fn rotate(store: &dyn Store, name: &str) -> StoreResult<String> {
    let m = Marker::new(KIND, name, fresh(), NEVER);
    store.put_marker(&m)?;
    Ok(m.value)
}

/// Removes the secret `name` (a deleted webhook's).
pub fn remove(store: &dyn Store, name: &str, now: Millis) -> StoreResult<()> {
    store.put_marker(&Marker::new(KIND, name, String::new(), now))
}
