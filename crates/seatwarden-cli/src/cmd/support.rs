//! What every subcommand shares: the CLI's error type, instant parsing and
//! snapshot loading.

use std::fmt;
use std::path::Path;

use seatwarden_core::time::Millis;

/// Everything a subcommand can fail with. Messages name files and fields,
/// never personal data.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Reading or writing a file failed.
    #[error("cannot use `{path}`: {source}")]
    Io {
        /// The file (or stream) concerned.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// JSON could not be read or written (described without quoting the
    /// input, which may hold personal data).
    #[error(
        "invalid JSON at line {}, column {}: {}",
        .0.line(),
        .0.column(),
        seatwarden_core::json_error::describe(.0)
    )]
    Json(#[from] serde_json::Error),
    /// An argument was malformed.
    #[error("{0}")]
    Usage(String),
    /// The engine refused the input (its message is precise already).
    #[error("{0}")]
    Engine(String),
}

impl CliError {
    /// An I/O error on `path`.
    pub(crate) fn io(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        CliError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    /// An engine error, kept as its message.
    pub(crate) fn engine(error: impl fmt::Display) -> Self {
        CliError::Engine(error.to_string())
    }
}

/// Parses an RFC 3339 instant (`2026-11-21T02:00:00Z`).
pub(crate) fn parse_instant(text: &str) -> Result<Millis, CliError> {
    Millis::parse_rfc3339(text).ok_or_else(|| {
        CliError::Usage(format!(
            "`{text}` is not an RFC 3339 instant such as `2026-11-21T02:00:00Z`"
        ))
    })
}

/// Reads a whole file.
pub(crate) fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| CliError::io(path, e))
}
