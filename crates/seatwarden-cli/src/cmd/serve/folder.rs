//! The data folder of `seatwarden serve`: one server at a time, a stable
//! node identity, and never a silent reset.
//!
//! Why a lock: the service keeps an in-memory index of the directory. Two
//! servers on one folder each believe their own index, so one re-applies
//! what the other already did (a second audit entry) and a revert of that
//! no-op would undo the other's real change. The standalone server is a
//! single-node host; the lock (`flock` on `lock`, released by the kernel
//! when the process dies, so a crash never leaves a stale lock) makes a
//! second start fail at once with a message saying which folder and what
//! to do.
//!
//! Why a stored node id: leases on runs and policies are owned by a node
//! id. A random id per process meant a server restarted after a crash could
//! not reclaim its own run's lease and waited out the lease (10 minutes).
//! The folder is the node, so its id lives in the folder (`node-id`).
//!
//! Why the start-up checks: SQLite opens a missing or zero-byte file as a
//! new, empty database, so a truncated `store.db` used to start with no
//! policies and no audit history, and a truncated `directory.db` with
//! `--demo` was seeded afresh under the old policies. Both files are
//! checked before either is opened for writing: the SQLite header, the
//! schema marker, `PRAGMA quick_check`, and whether each holds data. A file
//! that is missing or empty while the other holds data, or a damaged file,
//! stops the start with the file, the problem and the way out (restore a
//! backup made with `seatwarden backup`). `--demo` seeds only a folder
//! holding no data at all.
//!
//! Why 0700 and 0600: the store holds the SMTP password (see
//! `docs/standalone.md`); only the account running the server may read the
//! folder. SQLite gives its `-wal` and `-shm` files the database file's
//! permissions, so creating the databases 0600 covers them too.
//!
//! Why a key file: the SMTP password is sealed in `store.db` with a key kept
//! apart from it (`seatwarden_service::sealed`): `SEATWARDEN_SECRET_KEY`
//! when set, else `secret.key` (0600), created at the first start. A copy
//! of `store.db` (a `seatwarden backup`, a support bundle) then no longer
//! holds the password in readable form.

use std::fs::{File, OpenOptions};
use std::io::{Read as _, Write as _};
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::cmd::support::CliError;

/// The lock file.
pub(crate) const LOCK_FILE: &str = "lock";
/// The node identity file.
pub(crate) const NODE_ID_FILE: &str = "node-id";
/// The key file sealing secrets in the store (when the environment names none).
pub(crate) const SECRET_KEY_FILE: &str = "secret.key";
/// The environment variable that gives the secret key (64 hex characters).
pub(crate) const SECRET_KEY_ENV: &str = "SEATWARDEN_SECRET_KEY";
/// The store's file.
pub(crate) const STORE_FILE: &str = "store.db";
/// The embedded directory's file.
pub(crate) const DIRECTORY_FILE: &str = seatwarden_directory_sqlite::FILE_NAME;

/// What every SQLite database file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// The way out named by every refusal.
const WAY_OUT: &str = "restore the data folder from a backup (`seatwarden backup`), or move the folder aside and start with an empty one";

/// An open, locked data folder.
#[derive(Debug)]
pub(crate) struct DataFolder {
    /// Held for the life of the server: the kernel releases the lock when
    /// the file is closed or the process dies.
    _lock: Option<File>,
    node_id: String,
    /// Both databases exist and the folder holds no data: `--demo` may seed.
    fresh: bool,
}

/// What the start-up check found in one database file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileState {
    /// No file, or a zero-byte one (what SQLite leaves before the first
    /// commit): no data.
    Absent,
    /// A Seatwarden database; `true` when it holds data.
    Present(bool),
}

impl DataFolder {
    /// Creates (0700) and locks `path`, reads or creates the node id and
    /// checks both databases. `shared` skips the lock (test only: the
    /// two-node lease test runs two servers on one folder on purpose).
    pub(crate) fn open(path: &Path, demo: bool, shared: bool) -> Result<DataFolder, CliError> {
        std::fs::create_dir_all(path).map_err(|e| CliError::io(path, e))?;
        private(path, 0o700)?;
        let lock = if shared { None } else { Some(lock(path)?) };
        let node_id = node_id(path)?;
        let store = inspect(&path.join(STORE_FILE), Kind::Store)?;
        let directory = inspect(&path.join(DIRECTORY_FILE), Kind::Directory)?;
        let fresh = decide(path, store, directory, demo)?;
        for name in [STORE_FILE, DIRECTORY_FILE] {
            create_private(&path.join(name))?;
        }
        Ok(DataFolder {
            _lock: lock,
            node_id,
            fresh,
        })
    }

    /// This folder's node identity (stable across restarts).
    pub(crate) fn node_id(&self) -> &str {
        &self.node_id
    }

    /// Whether the folder held no data at all when it was opened.
    pub(crate) fn is_fresh(&self) -> bool {
        self.fresh
    }
}

/// Sets `path`'s permission bits (unix; elsewhere the OS's ACLs apply).
pub(crate) fn private(path: &Path, mode: u32) -> Result<(), CliError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| CliError::io(path, e))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// Opens (creating 0600) a file for reading and writing.
fn open_private(path: &Path) -> Result<File, CliError> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(|e| CliError::io(path, e))?;
    private(path, 0o600)?;
    Ok(file)
}

/// Creates `path` empty with 0600 if missing (SQLite then treats it as a
/// new database and gives its companions the same bits), else tightens it.
fn create_private(path: &Path) -> Result<(), CliError> {
    open_private(path).map(drop)
}

fn lock(folder: &Path) -> Result<File, CliError> {
    let path = folder.join(LOCK_FILE);
    let mut file = open_private(&path)?;
    #[cfg(unix)]
    {
        use rustix::fs::{FlockOperation, flock};
        if let Err(e) = flock(&file, FlockOperation::NonBlockingLockExclusive) {
            if e == rustix::io::Errno::WOULDBLOCK {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let by = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (process {holder})")
                };
                return Err(CliError::Usage(format!(
                    "the data folder `{}` is in use by another seatwarden server{by}; two servers on one folder would each act on their own view of the directory. Stop the other server, or give this one its own `--data` folder",
                    folder.display()
                )));
            }
            return Err(CliError::io(&path, e.into()));
        }
    }
    file.set_len(0).map_err(|e| CliError::io(&path, e))?;
    write!(file, "{}", std::process::id()).map_err(|e| CliError::io(&path, e))?;
    file.flush().map_err(|e| CliError::io(&path, e))?;
    Ok(file)
}

/// The folder's node id: read from `node-id`, or created once.
fn node_id(folder: &Path) -> Result<String, CliError> {
    let path = folder.join(NODE_ID_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let id = text.trim();
            let valid = !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if valid {
                Ok(id.to_owned())
            } else {
                Err(CliError::Usage(format!(
                    "`{}` is damaged (expected up to 64 letters, digits, `-` or `_`); delete it and a new node id is made at the next start (a run this folder had in progress then waits for its lease to expire)",
                    path.display()
                )))
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let id = format!("serve-{}", super::auth::random_hex(8));
            let mut file = open_private(&path)?;
            writeln!(file, "{id}").map_err(|e| CliError::io(&path, e))?;
            file.sync_all().map_err(|e| CliError::io(&path, e))?;
            Ok(id)
        }
        Err(e) => Err(CliError::io(&path, e)),
    }
}

/// The key that seals the store's secrets: `SEATWARDEN_SECRET_KEY` when
/// set, else the folder's `secret.key`, created (0600) when missing.
pub(crate) fn secret_key(folder: &Path) -> Result<seatwarden_service::SecretKey, CliError> {
    secret_key_from(folder, std::env::var(SECRET_KEY_ENV).ok())
}

/// [`secret_key`] with the environment's value given (tests).
pub(crate) fn secret_key_from(
    folder: &Path,
    env: Option<String>,
) -> Result<seatwarden_service::SecretKey, CliError> {
    use seatwarden_service::SecretKey;
    if let Some(text) = env.filter(|t| !t.trim().is_empty()) {
        return SecretKey::parse(&text)
            .map_err(|e| CliError::Usage(format!("`{SECRET_KEY_ENV}` is not a usable key: {e}")));
    }
    let path = folder.join(SECRET_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            private(&path, 0o600)?;
            SecretKey::parse(&text).map_err(|e| {
                CliError::Usage(format!(
                    "`{}` is damaged: {e}. Put back the key file from where you keep it; without it the stored SMTP password cannot be read (start with `--forget-smtp-password` to remove it and type it again)",
                    path.display()
                ))
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SecretKey::generate();
            let mut file = open_private(&path)?;
            writeln!(file, "{}", key.to_hex()).map_err(|e| CliError::io(&path, e))?;
            file.sync_all().map_err(|e| CliError::io(&path, e))?;
            Ok(key)
        }
        Err(e) => Err(CliError::io(&path, e)),
    }
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Store,
    Directory,
}

impl Kind {
    /// A query answering 1 when the file holds data.
    fn has_data(self) -> &'static str {
        match self {
            Kind::Store => {
                "SELECT EXISTS(SELECT 1 FROM config) OR EXISTS(SELECT 1 FROM audit) OR EXISTS(SELECT 1 FROM runs)"
            }
            Kind::Directory => "SELECT EXISTS(SELECT 1 FROM users) OR EXISTS(SELECT 1 FROM meta)",
        }
    }

    /// The schema version: the store's `schema_version` table, the
    /// directory's `user_version`.
    fn schema_version(self, conn: &Connection) -> rusqlite::Result<i64> {
        match self {
            Kind::Store => conn
                .query_row("SELECT MAX(version) FROM schema_version", [], |r| {
                    r.get::<_, Option<i64>>(0)
                })
                .map(Option::unwrap_or_default),
            Kind::Directory => conn.query_row("PRAGMA user_version", [], |r| r.get(0)),
        }
    }
}

fn refuse(path: &Path, problem: &str) -> CliError {
    CliError::Usage(format!(
        "cannot start: `{}` {problem}. Nothing was changed; {WAY_OUT}",
        path.display()
    ))
}

/// Checks one database file without changing it.
fn inspect(path: &Path, kind: Kind) -> Result<FileState, CliError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileState::Absent),
        Err(e) => return Err(CliError::io(path, e)),
    };
    let len = file.metadata().map_err(|e| CliError::io(path, e))?.len();
    if len == 0 {
        return Ok(FileState::Absent);
    }
    let mut header = [0u8; 16];
    if file.read_exact(&mut header).is_err() || &header != SQLITE_HEADER {
        return Err(refuse(
            path,
            "is not an SQLite database (its header is wrong)",
        ));
    }
    drop(file);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| refuse(path, &format!("cannot be opened ({e})")))?;
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .map_err(|e| refuse(path, &format!("is damaged ({e})")))?;
    if check != "ok" {
        return Err(refuse(
            path,
            &format!("is damaged (SQLite's quick check says: {check})"),
        ));
    }
    let version = kind.schema_version(&conn).map_err(|_| {
        refuse(
            path,
            "is an SQLite database but not Seatwarden's (no schema version)",
        )
    })?;
    if version < 1 {
        // A valid SQLite file that was never migrated: no data.
        return Ok(FileState::Absent);
    }
    let has_data: bool = conn
        .query_row(kind.has_data(), [], |r| r.get(0))
        .map_err(|e| refuse(path, &format!("lacks Seatwarden's tables ({e})")))?;
    Ok(FileState::Present(has_data))
}

/// Whether the pair of files may be opened; `Ok(true)` when the folder
/// holds no data (first start).
fn decide(
    folder: &Path,
    store: FileState,
    directory: FileState,
    demo: bool,
) -> Result<bool, CliError> {
    let store_path = folder.join(STORE_FILE);
    let directory_path = folder.join(DIRECTORY_FILE);
    match (store, directory) {
        (FileState::Absent, FileState::Present(true)) => Err(refuse(
            &store_path,
            &format!(
                "is missing or empty while `{}` holds users: the policies, audit log and undo history would silently start empty",
                directory_path.display()
            ),
        )),
        (FileState::Present(true), FileState::Absent) => Err(refuse(
            &directory_path,
            &format!(
                "is missing or empty while `{}` holds configuration and audit history: the directory would silently start empty{}",
                store_path.display(),
                if demo {
                    " (or be seeded afresh by `--demo`)"
                } else {
                    ""
                }
            ),
        )),
        (FileState::Present(true), FileState::Present(false)) if demo => Err(refuse(
            &directory_path,
            &format!(
                "holds no users while `{}` holds configuration and audit history; `--demo` seeds only a data folder holding no data. Start without `--demo`",
                store_path.display()
            ),
        )),
        (FileState::Present(store), FileState::Present(directory)) => Ok(!store && !directory),
        (FileState::Present(store), FileState::Absent) => Ok(!store),
        (FileState::Absent, FileState::Present(directory)) => Ok(!directory),
        (FileState::Absent, FileState::Absent) => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lost_file_beside_data_is_refused_and_an_empty_folder_is_fresh() {
        let p = Path::new("d");
        let t = FileState::Present(true);
        let f = FileState::Present(false);
        let a = FileState::Absent;
        assert!(decide(p, a, t, false).is_err());
        assert!(decide(p, t, a, false).is_err());
        assert!(decide(p, t, a, true).is_err());
        assert!(decide(p, t, f, true).is_err());
        assert!(!decide(p, t, f, false).unwrap_or(true));
        assert!(!decide(p, t, t, true).unwrap_or(true));
        assert!(decide(p, a, a, true).unwrap_or(false));
        assert!(decide(p, f, f, true).unwrap_or(false));
    }

    /// The key file is made once (0600) and read back; the environment's
    /// key wins; a damaged file or a bad environment value is a precise
    /// error naming where, never a fresh key over the old one.
    #[test]
    fn the_secret_key_comes_from_the_environment_or_a_private_key_file() {
        let dir = tempfile::tempdir().unwrap();
        let first = secret_key_from(dir.path(), None).unwrap();
        let path = dir.path().join(SECRET_KEY_FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(secret_key_from(dir.path(), None).unwrap(), first);

        let given = seatwarden_service::SecretKey::generate();
        let from_env = secret_key_from(dir.path(), Some(given.to_hex())).unwrap();
        assert_eq!(from_env, given);
        let bad = secret_key_from(dir.path(), Some("not-a-key".into())).unwrap_err();
        assert!(bad.to_string().contains(SECRET_KEY_ENV), "{bad}");

        std::fs::write(&path, "short\n").unwrap();
        let damaged = secret_key_from(dir.path(), None).unwrap_err().to_string();
        assert!(
            damaged.contains("secret.key") && damaged.contains("damaged"),
            "{damaged}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "short\n");
    }
}
