//! `seatwarden query`: run a Users-tab query against a snapshot file and
//! print the page as JSON — the same request and answer the admin UI gets.

use std::io::Write;
use std::path::PathBuf;

use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::query::Query;

use crate::cmd::support::{CliError, parse_instant, read_file};

/// Arguments of `seatwarden query`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The snapshot file (see docs/snapshot.md).
    #[arg(long)]
    snapshot: PathBuf,
    /// The query as JSON, e.g. `{"status":"active","activity":{"kind":"notWithin","days":90}}`;
    /// `@FILE` reads it from a file. Default: the first page of everyone.
    #[arg(long, default_value = "{}")]
    filter: String,
    /// The instant "now" (RFC 3339); defaults to the snapshot's `takenAt`.
    #[arg(long)]
    now: Option<String>,
}

/// Loads a snapshot into an index, turning its error into the CLI's.
pub(crate) fn load_index(path: &std::path::Path) -> Result<DirectoryIndex, CliError> {
    let bytes = read_file(path)?;
    DirectoryIndex::from_snapshot_json(&bytes)
        .map_err(|e| CliError::Engine(format!("{}: {e}", path.display())))
}

/// Runs the query and prints the page.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let filter = match args.filter.strip_prefix('@') {
        Some(path) => read_file(std::path::Path::new(path))?,
        None => args.filter.clone().into_bytes(),
    };
    let query = Query::from_json(&filter).map_err(CliError::engine)?;
    let index = load_index(&args.snapshot)?;
    let now = match &args.now {
        Some(text) => parse_instant(text)?,
        None => index.taken_at(),
    };
    let page = index.query(&query, now).map_err(CliError::engine)?;
    let text = serde_json::to_string_pretty(&page)?;
    // A closed pipe (`| head`) is an error to report, not a panic.
    writeln!(std::io::stdout().lock(), "{text}").map_err(|e| CliError::io("standard output", e))?;
    Ok(())
}
