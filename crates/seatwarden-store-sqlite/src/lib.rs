//! The embedded Store on SQLite: configuration, audit, runs, journals,
//! outbox, undo and leases in one file.
//!
//! Why SQLite: the standalone host must keep compliance records without an
//! external database, survive `kill -9` without losing a committed entry, and
//! let two processes share the file (a scheduler and an admin CLI). SQLite in
//! WAL mode does all three: a commit is durable in the log before it returns,
//! readers never block the writer, and an immediate transaction serialises
//! writers across processes, which is what makes leases and claims atomic.
//!
//! Layout: one writer connection behind a mutex (SQLite has one writer at a
//! time anyway) and a small pool of reader connections. Every write method
//! runs in one `BEGIN IMMEDIATE` transaction; `busy_timeout` makes a writer
//! in another process wait instead of failing. The file, schema and
//! migrations are described in `docs/store.md`.
#![deny(missing_docs)]

mod audit;
mod history;
mod markers;
mod people;
mod port;
pub mod schema;
mod work;

use std::path::{Path, PathBuf};
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use seatwarden_service::store::StoreError;

/// How hard a commit tries to reach the disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// `synchronous = FULL`: a commit survives a power cut (one fsync per
    /// commit). The default.
    Full,
    /// `synchronous = NORMAL`: a commit survives the process being killed at
    /// any moment, but the last commits may be lost on a power cut.
    Normal,
}

/// How to open the store.
#[derive(Clone, Debug)]
pub struct Options {
    /// How long a write waits for another process's transaction.
    pub busy_timeout: Duration,
    /// Commit durability.
    pub durability: Durability,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            busy_timeout: Duration::from_secs(10),
            durability: Durability::Full,
        }
    }
}

/// The SQLite Store.
pub struct SqliteStore {
    path: PathBuf,
    options: Options,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

pub(crate) fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(what.to_owned())
}

fn configure(conn: &Connection, options: &Options) -> Result<(), StoreError> {
    conn.busy_timeout(options.busy_timeout).map_err(backend)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(backend)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend(format!(
            "the database refused write-ahead logging (journal mode `{mode}`)"
        )));
    }
    let sync = match options.durability {
        Durability::Full => "FULL",
        Durability::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)
        .map_err(backend)?;
    // 64 MB of page cache and 256 MB of memory-mapped reads per connection:
    // index maintenance on append and the export's full scan stay in memory.
    conn.pragma_update(None, "cache_size", -65_536)
        .map_err(backend)?;
    conn.pragma_update(None, "mmap_size", 268_435_456_i64)
        .map_err(backend)?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if needed) the store file at `path` and migrates it.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with(path, Options::default())
    }

    /// Opens with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut writer = Connection::open(&path).map_err(backend)?;
        configure(&writer, &options)?;
        schema::migrate(&mut writer)?;
        Ok(SqliteStore {
            path,
            options,
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// The file this store lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open file.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            c.query_row("SELECT max(version) FROM schema_version", [], |r| r.get(0))
                .map_err(backend)
        })
    }

    /// Runs SQLite's own consistency check; `Ok(())` when it says "ok".
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let result: String = self.read(|c| {
            c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(backend)
        })?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt(result))
        }
    }

    /// Runs `f` in one immediate (write-locking) transaction, committed if
    /// `f` succeeds and rolled back otherwise.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.writer.lock();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let value = f(&tx)?;
        tx.commit().map_err(backend)?;
        Ok(value)
    }

    /// Runs `f` on a reader connection (a consistent snapshot per statement;
    /// use a transaction inside `f` for several statements).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.readers.lock().pop();
        let conn = match conn {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE
                        | OpenFlags::SQLITE_OPEN_URI
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(backend)?;
                configure(&c, &self.options)?;
                c
            }
        };
        let result = f(&conn);
        let mut pool = self.readers.lock();
        if pool.len() < 4 {
            pool.push(conn);
        }
        result
    }
}
