//! `seatwarden login`: what logging in would do for one user.
//!
//! Runs the login policies (reactivation, floating licences) for one user of
//! a snapshot, exactly as the login hook does, and prints the writes and the
//! skipped steps with their reasons as JSON.

use std::path::PathBuf;

use seatwarden_core::UserKey;
use seatwarden_core::login::LoginEvaluator;

use crate::cmd::plan::load_config;
use crate::cmd::query::load_index;
use crate::cmd::support::{CliError, parse_instant};

/// Arguments of `seatwarden login`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The snapshot file (see docs/snapshot.md).
    #[arg(long)]
    snapshot: PathBuf,
    /// The configuration document (see docs/policies.md).
    #[arg(long)]
    config: PathBuf,
    /// The user logging in: username (case-insensitive) or key.
    #[arg(long)]
    user: String,
    /// The instant of the login (RFC 3339); defaults to the snapshot's `takenAt`.
    #[arg(long)]
    now: Option<String>,
    /// Key of the admin account automation acts as (always protected).
    #[arg(long)]
    acting_admin: Option<String>,
}

/// Evaluates and prints.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let config = load_config(&args.config)?;
    let index = load_index(&args.snapshot)?;
    let now = match &args.now {
        Some(text) => parse_instant(text)?,
        None => index.taken_at(),
    };
    let user = index
        .index_of_username(&args.user)
        .or_else(|| index.index_of_key_str(&args.user))
        .ok_or_else(|| {
            CliError::Usage("no such user in the snapshot (give a username or key)".into())
        })?;
    let acting = args.acting_admin.as_deref().map(UserKey::from);
    let evaluator = LoginEvaluator::new(&config, &index, acting.as_ref());
    let plan = evaluator.evaluate(&index, user, now);
    println!(
        "{}",
        serde_json::to_string_pretty(&evaluator.document(&index, &plan))?
    );
    Ok(())
}
