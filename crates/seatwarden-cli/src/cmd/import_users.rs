//! `seatwarden import-users --dry-run`: validate a users CSV against a
//! snapshot and print the import plan (or every problem) as JSON.
//!
//! Applying needs a host; on a snapshot file the import is always a dry
//! run. `--template` prints the downloadable template instead.

use std::path::PathBuf;

use seatwarden_csv::import::NoteKind;
use std::io::{BufReader, Write};

use seatwarden_core::Operation;
use seatwarden_csv::{
    ImportOptions, ImportSummary, NewUserNotices, RowPlan, TEMPLATE, validate_users,
};
use serde_json::{Value, json};

use crate::cmd::query::load_index;
use crate::cmd::support::CliError;

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
    let options = ImportOptions {
        create_missing_groups: args.create_missing_groups,
        remove_unlisted_groups: args.remove_unlisted_groups,
        notices: NewUserNotices {
            welcome: args.welcome,
            password_reset: args.password_reset,
        },
        ..ImportOptions::default()
    };
    // Streamed twice from the file (validate, then plan), the plan printed
    // row by row: memory stays bounded by the validator's per-row username
    // (see `docs/csv.md`), not by the file or the plan.
    let open = || {
        std::fs::File::open(csv)
            .map(|f| BufReader::with_capacity(1 << 20, f))
            .map_err(|e| CliError::io(csv, e))
    };
    match validate_users(open()?, &index, &options) {
        Ok(summary) => print_plan(open()?, &index, &options, &summary),
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

/// Prints a validated file's plan as one JSON document, a row at a time.
fn print_plan(
    input: impl std::io::Read,
    index: &seatwarden_core::index::DirectoryIndex,
    options: &ImportOptions,
    summary: &ImportSummary,
) -> Result<(), CliError> {
    let notes: Vec<Value> = summary
        .notes
        .iter()
        .map(|n| {
            let NoteKind::GroupWillBeCreated(_) = &n.kind;
            json!({"position": n.position.to_string(), "note": n.kind.to_string()})
        })
        .collect();
    let group_operations: Vec<Operation> = summary
        .groups_to_create
        .iter()
        .map(|g| Operation::CreateGroup { group: g.clone() })
        .collect();
    let head = json!({
        "valid": true,
        "rows": summary.rows,
        "create": summary.create,
        "update": summary.update,
        "unchanged": summary.unchanged,
        "groupsToCreate": summary.groups_to_create,
        "groupOperations": group_operations,
        "notes": notes,
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let io = |e: std::io::Error| CliError::io("standard output", e);
    // The head's fields, then `"plan": [` and one row per line.
    let head = serde_json::to_string_pretty(&head)?;
    let head = head.strip_suffix("\n}").unwrap_or(&head);
    write!(out, "{head},\n  \"plan\": [").map_err(io)?;
    let mut first = true;
    let mut failed = None;
    seatwarden_csv::stream_users(input, index, options, |r| {
        if failed.is_some() {
            return;
        }
        let row = match &r.plan {
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
        };
        let sep = if first { "\n    " } else { ",\n    " };
        first = false;
        if let Err(e) = write!(out, "{sep}{row}") {
            failed = Some(e);
        }
    })
    .map_err(|rejected| CliError::Engine(rejected.to_string()))?;
    if let Some(e) = failed {
        return Err(io(e));
    }
    writeln!(out, "\n  ]\n}}").map_err(io)?;
    out.flush().map_err(io)
}
