//! `seatwarden`: the command-line face of Seatwarden.
//!
//! One binary for newcomers, admins and developers: generate a demo
//! organisation, query a snapshot like the Users tab does, compute dashboard
//! figures, preview plans, and measure everything with `seatwarden bench`.
//! Each subcommand lives in its own module under `cmd/`; this file only
//! parses arguments and dispatches.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bench;
mod cmd;

/// Automated user management for Jira and Confluence Data Center.
#[derive(Parser)]
#[command(name = "seatwarden", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a deterministic demo organisation as a snapshot file.
    DemoData(cmd::demo_data::Args),
    /// Measure the engine; prints one JSON line per measurement.
    Bench(bench::Args),
    /// Run a Users-tab query against a snapshot file; prints the page as JSON.
    Query(cmd::query::Args),
    /// Dashboard figures of a snapshot file as JSON.
    Dashboard(cmd::dashboard::Args),
    /// What the scheduled policies would do to a snapshot; prints the plan as JSON.
    Plan(cmd::plan::Args),
    /// What the login policies would do when one user logs in; prints JSON.
    Login(cmd::login::Args),
    /// Export users of a snapshot file as CSV (selected keys or a filter).
    ExportUsers(cmd::export_users::Args),
    /// Validate a users CSV against a snapshot and print the import plan.
    ImportUsers(cmd::import_users::Args),
    /// Convert an Atlassian cloud organisation user export into a snapshot file.
    ImportAtlassianExport(cmd::import_atlassian_export::Args),
    /// Run the standalone server: admin API and UI on 127.0.0.1 over an embedded directory.
    Serve(cmd::serve::Args),
    /// Copy a `serve` data folder consistently, while the server runs (SQLite's online backup).
    Backup(cmd::backup::Args),
    /// Record logins in a `serve` data folder and run the login policies for them.
    SimulateLogins(cmd::simulate_logins::Args),
}

/// `println!` panics when standard output fails. A reader that went away
/// (`seatwarden plan … | head`) ends the command quietly, as for any Unix
/// tool; any other failure (a full disk) is one error line, never a panic
/// with a backtrace.
fn quiet_stdout_failures() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if let Some(why) = message.strip_prefix("failed printing to stdout: ") {
            if why.starts_with("Broken pipe") {
                std::process::exit(0);
            }
            eprintln!("seatwarden: cannot write to standard output: {why}");
            std::process::exit(1);
        }
        default(info);
    }));
}

/// A closed reader of standard output, as an error from a subcommand.
fn is_broken_pipe(error: &cmd::support::CliError) -> bool {
    match error {
        cmd::support::CliError::Io { source, .. } => {
            source.kind() == std::io::ErrorKind::BrokenPipe
        }
        cmd::support::CliError::Json(e) => {
            e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe)
        }
        _ => false,
    }
}

fn main() -> ExitCode {
    quiet_stdout_failures();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::DemoData(args) => cmd::demo_data::run(&args),
        Command::Bench(args) => bench::run(&args),
        Command::Query(args) => cmd::query::run(&args),
        Command::Dashboard(args) => cmd::dashboard::run(&args),
        Command::Plan(args) => cmd::plan::run(&args),
        Command::Login(args) => cmd::login::run(&args),
        Command::ExportUsers(args) => cmd::export_users::run(&args),
        Command::ImportUsers(args) => cmd::import_users::run(&args),
        Command::ImportAtlassianExport(args) => cmd::import_atlassian_export::run(&args),
        Command::Serve(args) => cmd::serve::run(&args),
        Command::SimulateLogins(args) => cmd::simulate_logins::run(&args),
        Command::Backup(args) => cmd::backup::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("seatwarden: {error}");
            ExitCode::FAILURE
        }
    }
}
