//! `seatwarden backup`: a consistent copy of a `serve` data folder, made
//! while the server runs.
//!
//! Why the online backup API and not `cp`: copying `store.db` while the
//! server writes can catch half a transaction, and the last commits may
//! still sit in the `-wal` file. SQLite's backup API
//! (<https://www.sqlite.org/backup.html>) copies the pages of one read
//! transaction, so each copy is a committed state; in WAL mode the server
//! keeps writing meanwhile. Each file is copied in a single step (`-1`:
//! all pages under one read lock), so a busy server cannot make the copy
//! restart forever. The copy is checked (`PRAGMA quick_check`) before the
//! command says it succeeded.
//!
//! The two files are copied one after the other, so they can be a moment
//! apart (a run's directory change in one, its audit entry not yet in the
//! other); the journal's resume on start puts such a pair right, as it
//! does after a crash. To restore: stop the server and start it on the
//! backup folder (or copy the backup's files over the data folder's).

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::cmd::serve::folder::{DIRECTORY_FILE, NODE_ID_FILE, STORE_FILE, private};
use crate::cmd::support::CliError;

/// Arguments of `seatwarden backup`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The data folder of `seatwarden serve` (may be in use).
    #[arg(long, default_value = "seatwarden-data")]
    data: PathBuf,
    /// The new folder to write the backup to (must not exist, or be empty).
    #[arg(long)]
    to: PathBuf,
}

/// How often a busy or locked source is retried before giving up.
const ATTEMPTS: u32 = 600;

/// Copies the data folder; prints what it copied.
pub(crate) fn run(args: &Args) -> Result<(), CliError> {
    let store = args.data.join(STORE_FILE);
    if !store.is_file() {
        return Err(CliError::Usage(format!(
            "`{}` is not a seatwarden data folder (it has no `{STORE_FILE}`)",
            args.data.display()
        )));
    }
    if args.to.exists() {
        let empty = std::fs::read_dir(&args.to)
            .map_err(|e| CliError::io(&args.to, e))?
            .next()
            .is_none();
        if !empty {
            return Err(CliError::Usage(format!(
                "`{}` exists and is not empty; give a new folder for the backup",
                args.to.display()
            )));
        }
    }
    std::fs::create_dir_all(&args.to).map_err(|e| CliError::io(&args.to, e))?;
    private(&args.to, 0o700)?;
    for name in [STORE_FILE, DIRECTORY_FILE] {
        let source = args.data.join(name);
        if source.is_file() {
            let pages = copy(&source, &args.to.join(name))?;
            println!("copied {name}: {pages} page(s), checked");
        }
    }
    let node = args.data.join(NODE_ID_FILE);
    if node.is_file() {
        let target = args.to.join(NODE_ID_FILE);
        std::fs::copy(&node, &target).map_err(|e| CliError::io(&node, e))?;
        private(&target, 0o600)?;
    }
    println!("backup written to {}", args.to.display());
    Ok(())
}

/// Copies one database with the backup API; returns its page count.
fn copy(source: &Path, target: &Path) -> Result<i32, CliError> {
    let failed =
        |e: rusqlite::Error| CliError::Usage(format!("cannot back up `{}`: {e}", source.display()));
    // Read-write only so SQLite may create the `-shm` index of a WAL file
    // whose server is stopped; nothing is written to the source.
    let src = Connection::open_with_flags(
        source,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(failed)?;
    src.busy_timeout(Duration::from_secs(10)).map_err(failed)?;
    // Created 0600 before SQLite opens it, so no other local user can read
    // the copy (it holds the SMTP password too).
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        options.open(target).map_err(|e| CliError::io(target, e))?;
    }
    let mut dst = Connection::open(target).map_err(failed)?;
    let pages = {
        let backup = Backup::new(&src, &mut dst).map_err(failed)?;
        let mut attempts = 0;
        loop {
            match backup.step(-1).map_err(failed)? {
                StepResult::Done => break,
                _ => {
                    attempts += 1;
                    if attempts >= ATTEMPTS {
                        return Err(CliError::Usage(format!(
                            "cannot back up `{}`: the database stayed busy; try again",
                            source.display()
                        )));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        }
        backup.progress().pagecount
    };
    let check: String = dst
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(failed)?;
    if check != "ok" {
        return Err(CliError::Usage(format!(
            "the copy of `{}` failed its check ({check}); the source may be damaged",
            source.display()
        )));
    }
    Ok(pages)
}
