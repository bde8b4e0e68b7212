//! `seatwarden import-users --dry-run`: validate a users CSV against a
//! snapshot and print the import plan (or every problem) as JSON.
//!
//! Applying needs a host; on a snapshot file the import is always a dry
//! run. `--template` prints the downloadable template instead.

use std::path::PathBuf;

use seatwarden_csv::import::NoteKind;
use seatwarden_csv::{ImportOptions, NewUserNotices, RowPlan, TEMPLATE, plan_users};
use serde_json::{Value, json};

use crate::cmd::query::load_index;
use crate::cmd::support::{CliError, read_file};

/// Arguments of `seatwarden import-users`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The snapshot file the import is checked against.
    #[arg(long, required_unless_present = "template")]
    snapshot: Option<PathBuf>,
    /// The users CSV.
    #[arg(long, required_unless_present = "template")]
    csv: Option<PathBuf>,
    /// Validate and plan only (required: a snapshot cannot be written to).
    #[arg(long)]
    dry_run: bool,
    /// Create groups the file names that do not exist (reported as notes).
    #[arg(long)]
    create_missing_groups: bool,
    /// Remove existing users from groups their row does not list.
    #[arg(long)]
    remove_unlisted_groups: bool,
    /// New users get a welcome email.
    #[arg(long)]
    welcome: bool,
    /// New users get a password-reset email.
    #[arg(long)]
    password_reset: bool,
    /// Print the import template and exit.
    #[arg(long)]
    template: bool,
}

/// Runs the dry run.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    if args.template {
        print!("{TEMPLATE}");
        return Ok(());
    }
    if !args.dry_run {
        return Err(CliError::Usage(
            "applying an import needs a host; use `--dry-run` on a snapshot file".into(),
        ));
    }
    let (Some(snapshot), Some(csv)) = (&args.snapshot, &args.csv) else {
        return Err(CliError::Usage(
            "`--snapshot` and `--csv` are required".into(),
        ));
    };
    let index = load_index(snapshot)?;
    let bytes = read_file(csv)?;
    let options = ImportOptions {
        create_missing_groups: args.create_missing_groups,
        remove_unlisted_groups: args.remove_unlisted_groups,
        notices: NewUserNotices {
            welcome: args.welcome,
            password_reset: args.password_reset,
        },
        ..ImportOptions::default()
    };
    match plan_users(&bytes, &index, &options) {
        Ok(plan) => {
            let rows: Vec<Value> = plan
                .rows
                .iter()
                .map(|r| match &r.plan {
                    RowPlan::Create {
                        create,
                        groups,
                        notices,
                    } => json!({
                        "line": r.line, "action": "create", "operation": create,
                        "groups": groups, "welcome": notices.welcome,
                        "passwordReset": notices.password_reset,
                    }),
                    RowPlan::Update { user, operations } => json!({
                        "line": r.line, "action": "update", "user": user, "operations": operations,
                    }),
                    RowPlan::Unchanged { user } => json!({
                        "line": r.line, "action": "unchanged", "user": user,
                    }),
                })
                .collect();
            let notes: Vec<Value> = plan
                .summary
                .notes
                .iter()
                .map(|n| {
                    let NoteKind::GroupWillBeCreated(_) = &n.kind;
                    json!({"position": n.position.to_string(), "note": n.kind.to_string()})
                })
                .collect();
            let out = json!({
                "valid": true,
                "rows": plan.summary.rows,
                "create": plan.summary.create,
                "update": plan.summary.update,
                "unchanged": plan.summary.unchanged,
                "groupsToCreate": plan.summary.groups_to_create,
                "groupOperations": plan.group_operations,
                "notes": notes,
                "plan": rows,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(())
        }
        Err(rejected) => {
            let problems: Vec<Value> = rejected
                .0
                .kept()
                .iter()
                .map(|p| {
                    json!({
                        "line": p.position.line,
                        "column": p.position.column,
                        "header": p.position.header,
                        "reason": p.kind.to_string(),
                    })
                })
                .collect();
            let out =
                json!({"valid": false, "problemCount": rejected.0.total(), "problems": problems});
            println!("{}", serde_json::to_string_pretty(&out)?);
            Err(CliError::Engine(rejected.to_string()))
        }
    }
}
