//! The directory snapshot: the one JSON format every host uses to hand the
//! engine its directory (JNI host, CLI `--snapshot` files, tests).
//!
//! A snapshot is a **header** (directories, groups, licences, sysadmins, the
//! instant it was taken) followed by **pages** of users, so a 1M-user
//! directory never needs to exist as one giant buffer on either side of the
//! JNI boundary. A snapshot file holds both in one object:
//!
//! ```json
//! { "format": "seatwarden-snapshot", "version": 1,
//!   "header": { "takenAt": 1763690400000, "directories": [...], "groups": [...],
//!               "licences": [...], "sysadmins": ["JIRAUSER10000"] },
//!   "pages": [ { "users": [ { "key": "JIRAUSER10100", ... } ] } ] }
//! ```
//!
//! Over JNI the header and each page travel as separate messages of the same
//! shapes. The full schema, with every field and its constraints, is in
//! `docs/snapshot.md`.

mod fast;
mod stream;

use serde::{Deserialize, Serialize};

use crate::activity::{ActivityValues, SignalDecl};
use crate::model::{Directory, Group, Licence, UserKey};

use crate::time::Millis;
pub(crate) use stream::{index_file, stream_page};

/// The value of the `format` field of a snapshot file.
pub const FORMAT: &str = "seatwarden-snapshot";

/// The snapshot schema version this build reads and writes.
pub const VERSION: u32 = 1;

/// A whole snapshot file: header plus pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// Schema version; see [`VERSION`].
    pub version: u32,
    /// Everything but the users.
    pub header: SnapshotHeader,
    /// The users, a page at a time.
    pub pages: Vec<SnapshotPage>,
}

/// Everything in a snapshot except the users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotHeader {
    /// When the host read the directory.
    pub taken_at: Millis,
    /// All user directories.
    pub directories: Vec<Directory>,
    /// All groups.
    pub groups: Vec<Group>,
    /// Application licences.
    #[serde(default)]
    pub licences: Vec<Licence>,
    /// Keys of users with system-administration rights (always protected).
    #[serde(default)]
    pub sysadmins: Vec<UserKey>,
    /// Activity signals besides `lastLogin` that the users carry values of
    /// (`docs/activity.md`); empty for a host that only knows logins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signals: Vec<SignalDecl>,
}

/// One page of users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotPage {
    /// The users on this page.
    pub users: Vec<SnapshotUser>,
}

/// A user as the snapshot carries them.
///
/// Kept separate from [`crate::model::User`] so the wire shape can evolve
/// (and be parsed without copying) independently of the engine's types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotUser {
    /// Stable key, unique in the snapshot.
    pub key: String,
    /// Login name, unique (case-insensitively) in the snapshot.
    pub username: String,
    /// Full name.
    #[serde(default)]
    pub display_name: String,
    /// Email address; may be empty.
    #[serde(default)]
    pub email: String,
    /// The id of one of the header's directories.
    pub directory_id: i64,
    /// Active or deactivated.
    pub active: bool,
    /// Account creation, UTC ms.
    pub created: i64,
    /// Last login, UTC ms; `null` or absent if never.
    #[serde(default)]
    pub last_login: Option<i64>,
    /// Login count; `null` or absent where the product does not count logins.
    #[serde(default)]
    pub login_count: Option<u32>,
    /// When the host says the user was deactivated; `null` if unknown or active.
    #[serde(default)]
    pub deactivated_at: Option<i64>,
    /// Atlassian Cloud: the user's access is suspended (membership status
    /// `suspended`): not billed, groups kept, restorable. Only Cloud hosts
    /// set it; it is ignored for an active user (a suspended user is
    /// inactive). Why a field of its own: "suspended" and "deactivated" are
    /// different states in Cloud (only a suspension can be restored for an
    /// external account), so the Users tab filters them apart and a restore
    /// acts only on suspended users. A suspension's time, where known, is
    /// in `deactivated_at` ("inactive since").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suspended: bool,
    /// Names of groups in the header the user is a direct member of.
    #[serde(default)]
    pub groups: Vec<String>,
    /// One value per header signal (UTC ms or `null`), in the header's order;
    /// absent when the header declares none (or the user has no value at all).
    #[serde(default, skip_serializing_if = "ActivityValues::is_empty")]
    pub activity: ActivityValues,
}

/// How far past `takenAt` a timestamp may lie: cluster clock skew, plus
/// logins recorded while a large directory is being paged out (one day).
pub const FUTURE_SKEW_MS: i64 = crate::time::DAY_MS;

/// Where a user sits in a snapshot: the page (0-based, in the order pages
/// were sent) and the position within that page's `users` array (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Page number, from 0.
    pub page: u32,
    /// Index in the page's `users` array, from 0.
    pub index: u32,
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pages[{}].users[{}]", self.page, self.index)
    }
}

/// A user timestamp field, for errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TimeField {
    /// `created`.
    Created,
    /// `lastLogin`.
    LastLogin,
    /// `deactivatedAt`.
    DeactivatedAt,
    /// `activity[i]`: the value of the header's signal `i`.
    Activity(u8),
}

impl std::fmt::Display for TimeField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeField::Created => "created",
            TimeField::LastLogin => "lastLogin",
            TimeField::DeactivatedAt => "deactivatedAt",
            TimeField::Activity(i) => return write!(f, "activity[{i}]"),
        })
    }
}

/// Why a snapshot (or one of its pages) was rejected.
///
/// Users are named by key and position, never by username or email. When a
/// snapshot is rejected no index is built: the caller keeps what it had.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    /// Not JSON, or JSON of the wrong shape (missing field, wrong type, unknown field).
    #[error("invalid snapshot JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser expected (quoted values removed).
        message: String,
    },
    /// The `format` field is not [`FORMAT`].
    #[error("field `format`: expected `seatwarden-snapshot`, found `{found}`")]
    Format {
        /// What the file says.
        found: String,
    },
    /// The `version` field is not one this build reads.
    #[error(
        "field `version`: unsupported snapshot version {found}, this build reads version {supported}"
    )]
    Version {
        /// What the file says.
        found: u32,
        /// [`VERSION`].
        supported: u32,
    },
    /// The header's `takenAt` is before [`Millis::PLAUSIBLE_MIN`].
    #[error("header: field `takenAt`: {taken_at} is before 1990-01-01, not a plausible instant")]
    TakenAt {
        /// The value, in UTC ms.
        taken_at: i64,
    },
    /// Two directories share an id.
    #[error("header: field `directories`: duplicate directory id {id}")]
    DuplicateDirectory {
        /// The id.
        id: crate::model::DirectoryId,
    },
    /// Two groups share a name (case-insensitively).
    #[error(
        "header: field `groups`: duplicate group `{group}` (group names compare case-insensitively)"
    )]
    DuplicateGroup {
        /// The second occurrence's name.
        group: crate::model::GroupName,
    },
    /// A licence names a group the header does not list.
    #[error("header: licence `{application}`: field `groups`: unknown group `{group}`")]
    LicenceUnknownGroup {
        /// The licence's application.
        application: crate::model::ApplicationKey,
        /// The unknown group.
        group: String,
    },
    /// A sysadmin key matches no user in the snapshot.
    #[error("header: field `sysadmins`: unknown user `{key}`")]
    UnknownSysadmin {
        /// The key.
        key: UserKey,
    },
    /// A user has an empty key.
    #[error("user at {at}: field `key`: empty key")]
    EmptyKey {
        /// Where.
        at: Position,
    },
    /// A user has an empty username.
    #[error("user `{key}` at {at}: field `username`: empty username")]
    EmptyUsername {
        /// The user.
        key: UserKey,
        /// Where.
        at: Position,
    },
    /// Two users share a key.
    #[error("user `{key}` at {at}: field `key`: duplicate key, first used at {first}")]
    DuplicateKey {
        /// The key.
        key: UserKey,
        /// The later occurrence.
        at: Position,
        /// The first occurrence.
        first: Position,
    },
    /// Two users share a username (case-insensitively).
    #[error(
        "user `{key}` at {at}: field `username`: already used by user `{other}` (usernames compare case-insensitively)"
    )]
    DuplicateUsername {
        /// The later user.
        key: UserKey,
        /// Where the later user is.
        at: Position,
        /// The earlier user with the same username.
        other: UserKey,
    },
    /// A user is a member of a group the header does not list.
    #[error("user `{key}` at {at}: field `groups`: unknown group `{group}`")]
    UnknownGroup {
        /// The user.
        key: UserKey,
        /// Where.
        at: Position,
        /// The unknown group name.
        group: String,
    },
    /// A user lives in a directory the header does not list.
    #[error("user `{key}` at {at}: field `directoryId`: unknown directory {directory}")]
    UnknownDirectory {
        /// The user.
        key: UserKey,
        /// Where.
        at: Position,
        /// The unknown id.
        directory: i64,
    },
    /// A timestamp before [`Millis::PLAUSIBLE_MIN`] (a zero, or seconds sent as ms).
    #[error(
        "user `{key}` at {at}: field `{field}`: {value} is before 1990-01-01, not a plausible instant"
    )]
    TooEarly {
        /// The user.
        key: UserKey,
        /// Where.
        at: Position,
        /// Which timestamp.
        field: TimeField,
        /// The value, in UTC ms.
        value: i64,
    },
    /// A timestamp later than `takenAt` + [`FUTURE_SKEW_MS`].
    #[error(
        "user `{key}` at {at}: field `{field}`: {value} is more than a day after the snapshot's `takenAt` ({taken_at})"
    )]
    TooLate {
        /// The user.
        key: UserKey,
        /// Where.
        at: Position,
        /// Which timestamp.
        field: TimeField,
        /// The value, in UTC ms.
        value: i64,
        /// The header's `takenAt`, in UTC ms.
        taken_at: i64,
    },
    /// `loginCount` is `4294967295`, the index's "unknown" marker.
    #[error("user `{key}` at {at}: field `loginCount`: {value} is out of range")]
    LoginCountOutOfRange {
        /// The user.
        key: UserKey,
        /// Where.
        at: Position,
        /// The value.
        value: u32,
    },
    /// The header declares a signal twice (same kind and product).
    #[error("header `signals[{at}]`: signal `{signal}` is declared twice")]
    DuplicateSignal {
        /// Position in `signals`, from 0.
        at: usize,
        /// The signal, as `kind` or `kind:product`.
        signal: String,
    },
    /// A signal's `since` is before 1990 (not a real start of recording).
    #[error("header `signals[{at}].since`: {value} is before 1990-01-01")]
    SignalSince {
        /// Position in `signals`, from 0.
        at: usize,
        /// The value, in UTC ms.
        value: i64,
    },
    /// A signal's `gaps` are malformed.
    #[error("header `signals[{at}].gaps`: {problem}")]
    SignalGaps {
        /// Position in `signals`, from 0.
        at: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// A user's `activity` does not have one value per header signal.
    #[error(
        "user `{key}` at {at}: field `activity`: {found} values, the header declares {declared} signals"
    )]
    ActivityLength {
        /// The user.
        key: UserKey,
        /// Where.
        at: Position,
        /// Values the user carries.
        found: usize,
        /// Signals the header declares.
        declared: usize,
    },
    /// More users, directories or text than the index can address.
    #[error("snapshot too large: {what}")]
    TooLarge {
        /// What overflowed.
        what: &'static str,
    },
}

/// The kind of a [`SnapshotError`], without its details: what the outside
/// (JNI envelope, HTTP status) branches on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum SnapshotErrorKind {
    Json,
    Format,
    Version,
    TakenAt,
    DuplicateDirectory,
    DuplicateGroup,
    LicenceUnknownGroup,
    UnknownSysadmin,
    EmptyKey,
    EmptyUsername,
    DuplicateKey,
    DuplicateUsername,
    UnknownGroup,
    UnknownDirectory,
    TooEarly,
    TooLate,
    LoginCountOutOfRange,
    DuplicateSignal,
    SignalSince,
    SignalGaps,
    ActivityLength,
    TooLarge,
}

impl SnapshotError {
    /// The error's kind.
    pub fn kind(&self) -> SnapshotErrorKind {
        use SnapshotErrorKind as K;
        match self {
            SnapshotError::Json { .. } => K::Json,
            SnapshotError::Format { .. } => K::Format,
            SnapshotError::Version { .. } => K::Version,
            SnapshotError::TakenAt { .. } => K::TakenAt,
            SnapshotError::DuplicateDirectory { .. } => K::DuplicateDirectory,
            SnapshotError::DuplicateGroup { .. } => K::DuplicateGroup,
            SnapshotError::LicenceUnknownGroup { .. } => K::LicenceUnknownGroup,
            SnapshotError::UnknownSysadmin { .. } => K::UnknownSysadmin,
            SnapshotError::EmptyKey { .. } => K::EmptyKey,
            SnapshotError::EmptyUsername { .. } => K::EmptyUsername,
            SnapshotError::DuplicateKey { .. } => K::DuplicateKey,
            SnapshotError::DuplicateUsername { .. } => K::DuplicateUsername,
            SnapshotError::UnknownGroup { .. } => K::UnknownGroup,
            SnapshotError::UnknownDirectory { .. } => K::UnknownDirectory,
            SnapshotError::TooEarly { .. } => K::TooEarly,
            SnapshotError::TooLate { .. } => K::TooLate,
            SnapshotError::LoginCountOutOfRange { .. } => K::LoginCountOutOfRange,
            SnapshotError::DuplicateSignal { .. } => K::DuplicateSignal,
            SnapshotError::SignalSince { .. } => K::SignalSince,
            SnapshotError::SignalGaps { .. } => K::SignalGaps,
            SnapshotError::ActivityLength { .. } => K::ActivityLength,
            SnapshotError::TooLarge { .. } => K::TooLarge,
        }
    }

    /// The position of the offending user, when the error is about one.
    pub fn position(&self) -> Option<Position> {
        match self {
            SnapshotError::EmptyKey { at }
            | SnapshotError::EmptyUsername { at, .. }
            | SnapshotError::DuplicateKey { at, .. }
            | SnapshotError::DuplicateUsername { at, .. }
            | SnapshotError::UnknownGroup { at, .. }
            | SnapshotError::UnknownDirectory { at, .. }
            | SnapshotError::TooEarly { at, .. }
            | SnapshotError::TooLate { at, .. }
            | SnapshotError::LoginCountOutOfRange { at, .. } => Some(*at),
            _ => None,
        }
    }

    /// Converts a `serde_json` error, dropping quoted values from its
    /// message (they could be personal data).
    pub fn from_json(e: &serde_json::Error) -> SnapshotError {
        SnapshotError::Json {
            line: e.line(),
            column: e.column(),
            message: crate::json_error::describe(e),
        }
    }
}

/// Parses and validates a whole snapshot file into its wire types.
///
/// Validation is exactly the index build's (every rule in `docs/snapshot.md`);
/// callers that want the index should use
/// [`crate::index::DirectoryIndex::from_snapshot_json`] instead, which does
/// not keep the owned copy.
pub fn parse_file(bytes: &[u8]) -> Result<SnapshotFile, SnapshotError> {
    index_file(bytes)?;
    let file: SnapshotFile =
        serde_json::from_slice(bytes).map_err(|e| SnapshotError::from_json(&e))?;
    Ok(file)
}

/// Parses and validates a header message (the `header` object of a file).
pub fn parse_header(bytes: &[u8]) -> Result<SnapshotHeader, SnapshotError> {
    let header: SnapshotHeader =
        serde_json::from_slice(bytes).map_err(|e| SnapshotError::from_json(&e))?;
    crate::index::IndexBuilder::new(header.clone())?;
    Ok(header)
}

/// Parses a page message (`{"users": [...]}`) without validating it against a
/// header (that needs an [`crate::index::IndexBuilder`]).
pub fn parse_page(bytes: &[u8]) -> Result<SnapshotPage, SnapshotError> {
    serde_json::from_slice(bytes).map_err(|e| SnapshotError::from_json(&e))
}

impl SnapshotFile {
    /// Serialises the file as JSON (members in the order readers stream best).
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::to_vec(self)
    }
}
