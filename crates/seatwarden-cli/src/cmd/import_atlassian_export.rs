//! `seatwarden import-atlassian-export`: read the user export of an
//! Atlassian cloud organisation into a snapshot file, so `seatwarden plan`
//! can preview policies on real data.

use std::path::PathBuf;

use seatwarden_core::Millis;
use seatwarden_csv::atlassian::read_atlassian_export;

use crate::cmd::support::{CliError, parse_instant};

/// Arguments of `seatwarden import-atlassian-export`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The CSV downloaded from Atlassian Administration (Directory → Users → Export users).
    #[arg(long)]
    csv: PathBuf,
    /// The snapshot file to write.
    #[arg(long)]
    out: PathBuf,
    /// When the export was taken (RFC 3339); default now.
    #[arg(long)]
    taken_at: Option<String>,
}

/// Converts the export.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let taken_at = match &args.taken_at {
        Some(t) => parse_instant(t)?,
        None => Millis(chrono::Utc::now().timestamp_millis()),
    };
    let file = std::fs::File::open(&args.csv).map_err(|e| CliError::io(&args.csv, e))?;
    let snapshot = read_atlassian_export(std::io::BufReader::new(file), taken_at)
        .map_err(|rejected| CliError::Engine(format!("{}\n{}", rejected, rejected.0)))?;
    let users: usize = snapshot.pages.iter().map(|p| p.users.len()).sum();
    let out = std::fs::File::create(&args.out).map_err(|e| CliError::io(&args.out, e))?;
    let mut writer = std::io::BufWriter::new(out);
    // A write error (a full disk) is the file's, not the JSON's; and the
    // last buffered bytes are only written by the flush, whose failure a
    // drop would swallow (`--out /dev/full` used to report success).
    serde_json::to_writer(&mut writer, &snapshot).map_err(|e| match e.io_error_kind() {
        Some(kind) => CliError::io(&args.out, std::io::Error::from(kind)),
        None => CliError::Json(e),
    })?;
    writer
        .into_inner()
        .map_err(|e| CliError::io(&args.out, e.into_error()))?;
    eprintln!("wrote {users} user(s) to {}", args.out.display());
    Ok(())
}
