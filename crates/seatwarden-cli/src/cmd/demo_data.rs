//! `seatwarden demo-data`: write the demo organisation as a snapshot file.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use seatwarden_demo::DemoOptions;

use crate::cmd::support::{CliError, parse_instant};

/// Arguments of `seatwarden demo-data`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// How many user accounts to generate.
    #[arg(long, default_value_t = 5_000)]
    users: usize,
    /// Seed: the same seed gives the same organisation.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// The instant the snapshot is taken (RFC 3339); logins lie before it.
    #[arg(long, default_value = "2026-11-21T02:00:00Z")]
    now: String,
    /// Users per page in the snapshot.
    #[arg(long, default_value_t = 10_000)]
    page_size: usize,
    /// Output file; standard output when absent.
    #[arg(long, short)]
    out: Option<PathBuf>,
}

/// Generates the organisation and writes it as JSON.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let options = DemoOptions {
        users: args.users,
        seed: args.seed,
        taken_at: parse_instant(&args.now)?,
        page_size: args.page_size,
        seen_since_days: None,
    };
    let snapshot = seatwarden_demo::generate(&options);
    match &args.out {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| CliError::io(path, e))?;
            let mut out = BufWriter::new(file);
            serde_json::to_writer(&mut out, &snapshot)?;
            out.flush().map_err(|e| CliError::io(path, e))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            serde_json::to_writer(&mut out, &snapshot)?;
            writeln!(out).map_err(|e| CliError::io("standard output", e))?;
        }
    }
    Ok(())
}
