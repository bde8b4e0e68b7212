//! `seatwarden export-users`: the Users tab's "Export" on a snapshot file.
//!
//! The rows are the users the admin selected (`--keys`) or, when none is
//! selected, every user matching the filter (`--filter`, the Users-tab query
//! JSON; everyone by default). Columns are the admin's choice, in order.

use std::io::{self, Write};
use std::path::PathBuf;

use seatwarden_core::UserKey;
use seatwarden_core::evaluate::select_keys;
use seatwarden_core::index::UserIdx;
use seatwarden_core::query::Query;
use seatwarden_csv::index::export_context;
use seatwarden_csv::{ExportOptions, UserColumn, UsersWriter};

use crate::cmd::query::load_index;
use crate::cmd::support::{CliError, parse_instant, read_file};

/// Arguments of `seatwarden export-users`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The snapshot file (see docs/snapshot.md).
    #[arg(long)]
    snapshot: PathBuf,
    /// Users-tab filter as JSON (`@FILE` reads a file); ignored with `--keys`.
    #[arg(long, default_value = "{}")]
    filter: String,
    /// Export exactly these user keys (comma separated) instead of a filter.
    #[arg(long, value_delimiter = ',')]
    keys: Vec<String>,
    /// Columns, comma separated, in order (default: all): key, username,
    /// display name, email, directory, active, suspended, created, last
    /// login, login count, groups, licensed applications.
    #[arg(long, value_delimiter = ',')]
    columns: Vec<String>,
    /// Start the file with a UTF-8 byte-order mark (for spreadsheet programs).
    #[arg(long)]
    bom: bool,
    /// Write here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The instant "now" for relative filters (RFC 3339); default the snapshot's `takenAt`.
    #[arg(long)]
    now: Option<String>,
}

fn columns(names: &[String]) -> Result<Vec<UserColumn>, CliError> {
    names
        .iter()
        .map(|n| {
            let norm = n.trim().to_lowercase().replace(['_', '-'], " ");
            UserColumn::from_header(&norm)
                .ok_or_else(|| CliError::Usage(format!("unknown column `{n}`")))
        })
        .collect()
}

/// Runs the export.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let index = load_index(&args.snapshot)?;
    let now = match &args.now {
        Some(t) => parse_instant(t)?,
        None => index.taken_at(),
    };
    let rows = if args.keys.is_empty() {
        let filter = match args.filter.strip_prefix('@') {
            Some(path) => read_file(std::path::Path::new(path))?,
            None => args.filter.clone().into_bytes(),
        };
        let query = Query::from_json(&filter).map_err(CliError::engine)?;
        index.matching(&query, now).map_err(CliError::engine)?
    } else {
        let keys: Vec<UserKey> = args.keys.iter().map(|k| UserKey::from(k.trim())).collect();
        let (selected, unknown) = select_keys(&index, &keys);
        if let Some(k) = unknown.first() {
            return Err(CliError::Usage(format!(
                "{} key(s) are not in the snapshot, e.g. `{k}`",
                unknown.len()
            )));
        }
        selected
    };
    let options = ExportOptions {
        columns: columns(&args.columns)?,
        bom: args.bom,
    };
    let context = export_context(&index);
    let out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| CliError::io(path, e))?),
        None => Box::new(io::stdout().lock()),
    };
    let target = args
        .out
        .as_ref()
        .map_or_else(|| "stdout".to_owned(), |p| p.display().to_string());
    let mut writer =
        UsersWriter::new(out, &options, &context).map_err(|e| CliError::io(&target, e))?;
    for i in &rows {
        if let Some(user) = index.user(UserIdx(i)) {
            writer.write(&user).map_err(|e| CliError::io(&target, e))?;
        }
    }
    let n = writer.rows();
    writer
        .finish()
        .map_err(|e| CliError::io(&target, e))?
        .flush()
        .map_err(|e| CliError::io(&target, e))?;
    eprintln!("exported {n} user(s)");
    Ok(())
}
