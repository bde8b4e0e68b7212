//! The configuration document under optimistic concurrency.
//!
//! The store keeps the document opaque (the service owns its schema and
//! migrations); what it guarantees is that two admins saving at once cannot
//! silently overwrite each other: every save names the version it was based
//! on, and a stale one is refused.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::StoreError;

/// A configuration version: 0 before the first save, then 1, 2, …
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ConfigVersion(pub u64);

impl ConfigVersion {
    /// "Nothing saved yet".
    pub const NONE: ConfigVersion = ConfigVersion(0);

    /// The version after this one.
    pub fn next(self) -> ConfigVersion {
        ConfigVersion(self.0.saturating_add(1))
    }
}

impl fmt::Display for ConfigVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The stored document and its version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigDocument {
    /// The version to name when saving a change based on this document.
    pub version: ConfigVersion,
    /// The document, JSON text.
    pub json: String,
}

/// Checks that a document is JSON, with the position of the first error.
pub fn validate_json(json: &str) -> Result<(), StoreError> {
    serde_json::from_str::<serde::de::IgnoredAny>(json)
        .map(|_| ())
        .map_err(|e| StoreError::InvalidDocument {
            line: e.line(),
            column: e.column(),
        })
}
