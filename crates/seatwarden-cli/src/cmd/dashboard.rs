//! `seatwarden dashboard`: the dashboard figures of a snapshot file as JSON.

use std::io::Write;
use std::path::PathBuf;

use seatwarden_core::dashboard::{DEFAULT_WINDOW_DAYS, dashboard};

use crate::cmd::query::load_index;
use crate::cmd::support::{CliError, parse_instant};

/// Arguments of `seatwarden dashboard`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The snapshot file (see docs/snapshot.md).
    #[arg(long)]
    snapshot: PathBuf,
    /// The window in days ("displaying user data for the past N days").
    #[arg(long, default_value_t = DEFAULT_WINDOW_DAYS)]
    days: u32,
    /// The instant "now" (RFC 3339); defaults to the snapshot's `takenAt`.
    #[arg(long)]
    now: Option<String>,
}

/// Computes and prints the figures.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let index = load_index(&args.snapshot)?;
    let now = match &args.now {
        Some(text) => parse_instant(text)?,
        None => index.taken_at(),
    };
    let figures = dashboard(&index, now, args.days);
    let text = serde_json::to_string_pretty(&figures)?;
    // A closed pipe (`| head`) is an error to report, not a panic.
    writeln!(std::io::stdout().lock(), "{text}").map_err(|e| CliError::io("standard output", e))?;
    Ok(())
}
