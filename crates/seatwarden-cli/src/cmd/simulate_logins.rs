//! `seatwarden simulate-logins`: people log in to the standalone host.
//!
//! Records logins in the embedded directory of a data folder and runs the
//! login policies for each (reactivation, floating licences, groups after
//! login), exactly as the product's login listener would: policies first
//! (a deactivated account is reactivated), then the login itself. Works
//! while `seatwarden serve` runs on the same folder.

use std::path::PathBuf;
use std::time::Duration;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use seatwarden_service::ServiceOptions;
use seatwarden_service::host::Host;

use crate::cmd::serve::{Access, Clock, open};
use crate::cmd::support::{CliError, parse_instant};

/// Arguments of `seatwarden simulate-logins`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["users", "random"])))]
pub(crate) struct Args {
    /// The data folder of `seatwarden serve`.
    #[arg(long, default_value = "seatwarden-data")]
    data: PathBuf,
    /// Comma-separated usernames that log in.
    #[arg(long, value_delimiter = ',')]
    users: Vec<String>,
    /// This many users picked at random (active or not) log in.
    #[arg(long)]
    random: Option<usize>,
    /// Seed for `--random`.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// When the logins happen (RFC 3339); now when absent.
    #[arg(long)]
    at: Option<String>,
}

/// Logs the users in and prints one JSON line per login.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let clock = Clock::System;
    let opened = open(
        &args.data,
        &clock,
        None,
        Duration::ZERO,
        ServiceOptions {
            node_id: format!("simulate-logins-{}", std::process::id()),
            ..ServiceOptions::default()
        },
        Access::Shared,
    )?;
    let now = match &args.at {
        Some(text) => parse_instant(text)?,
        None => clock.now(),
    };
    let names: Vec<String> = match args.random {
        Some(n) => {
            let mut all = opened.directory.usernames().map_err(CliError::engine)?;
            let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
            all.shuffle(&mut rng);
            all.truncate(n);
            all
        }
        None => args
            .users
            .iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect(),
    };
    let (mut recorded, mut applied) = (0usize, 0usize);
    for name in &names {
        let outcome = opened
            .service
            .on_login(name, now)
            .map_err(CliError::engine)?;
        let key = opened
            .directory
            .record_login(name, now)
            .map_err(CliError::engine)?;
        recorded += usize::from(key.is_some());
        applied += outcome.applied.len();
        let line = serde_json::json!({
            "username": name,
            "recorded": key.is_some(),
            "applied": outcome.applied,
            "failed": outcome.failed.len(),
        });
        println!("{line}");
    }
    eprintln!(
        "{} login(s) simulated: {recorded} recorded, {applied} policy action(s) applied",
        names.len()
    );
    Ok(())
}
