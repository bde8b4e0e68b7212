//! `seatwarden plan`: what the scheduled policies would do to a snapshot.
//!
//! The admin's preview on an exported directory, the tests' and the JUnit
//! suite's oracle, and a debugging aid: it loads a snapshot and a
//! configuration document, evaluates at `--now`, and prints the plan as JSON
//! (per-user writes with reasons, skipped users with reasons, totals,
//! warnings, guard and health verdicts, the plan hash). `--due` prints the
//! warning emails and licence alerts due at that instant instead.

use std::path::{Path, PathBuf};

use seatwarden_core::UserKey;
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::licence_alert::licence_alerts;
use seatwarden_core::policy::PolicyId;
use seatwarden_core::warning::due_warnings;
use serde_json::json;

use crate::cmd::query::load_index;
use crate::cmd::support::{CliError, parse_instant, read_file};

/// Arguments of `seatwarden plan`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The snapshot file (see docs/snapshot.md).
    #[arg(long)]
    snapshot: PathBuf,
    /// The configuration document (see docs/policies.md).
    #[arg(long)]
    config: PathBuf,
    /// The instant to evaluate at (RFC 3339); defaults to the snapshot's `takenAt`.
    #[arg(long)]
    now: Option<String>,
    /// Only this policy (repeatable); a named policy is evaluated even if disabled.
    #[arg(long = "policy")]
    policies: Vec<String>,
    /// Force preview, whatever the policies' modes.
    #[arg(long)]
    preview: bool,
    /// Key of the admin account automation acts as (always protected).
    #[arg(long)]
    acting_admin: Option<String>,
    /// The never-logged-in share the previous run reported, in basis points.
    #[arg(long)]
    previous_never_logged_in_bp: Option<u32>,
    /// Print the warning emails and licence alerts due instead of the plan.
    #[arg(long)]
    due: bool,
}

/// Loads and validates a configuration document.
pub(crate) fn load_config(path: &Path) -> Result<Config, CliError> {
    let bytes = read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::Engine(format!("{}: not UTF-8", path.display())))?;
    Config::parse(&text).map_err(|e| CliError::Engine(format!("{}: {e}", path.display())))
}

/// Evaluates and prints.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let config = load_config(&args.config)?;
    let index = load_index(&args.snapshot)?;
    let now = match &args.now {
        Some(text) => parse_instant(text)?,
        None => index.taken_at(),
    };
    for id in &args.policies {
        if config.policy(&PolicyId::from(id.clone())).is_none() {
            return Err(CliError::Usage(format!(
                "the configuration has no policy `{id}`"
            )));
        }
    }
    let ctx = EvalContext {
        acting_admin: args.acting_admin.as_deref().map(UserKey::from),
        previous_never_logged_in_bp: args.previous_never_logged_in_bp,
        only: (!args.policies.is_empty())
            .then(|| args.policies.iter().cloned().map(PolicyId::from).collect()),
        preview: args.preview,
        ..EvalContext::default()
    };
    if args.due {
        let out = json!({
            "dueWarnings": due_warnings(&config, &index, now, &ctx),
            "licenceAlerts": licence_alerts(&config.settings.licence_alert, &index, now),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let plan = evaluate(&config, &index, now, &ctx);
    println!("{}", serde_json::to_string_pretty(&plan.document(&index))?);
    Ok(())
}
