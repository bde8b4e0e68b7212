//! Problems found in a CSV file, each with its position.
//!
//! An admin fixing a 10 000-row import needs to know exactly where to look:
//! every problem carries the physical line its record starts on, the column
//! (1-based, with the header's name when there is one) and a reason. Reasons
//! never repeat the offending value when it could be personal data (emails,
//! usernames, display names); group and directory names, which are not, are
//! quoted in backticks.

use std::fmt;

/// Where a problem is: line (1-based, where the record starts) and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// The physical line the record starts on (1-based).
    pub line: u64,
    /// The 1-based column, when the problem is in one field.
    pub column: Option<usize>,
    /// The column's header, when known.
    pub header: Option<String>,
}

impl Position {
    /// A whole-record position.
    pub fn line(line: u64) -> Self {
        Self {
            line,
            column: None,
            header: None,
        }
    }

    /// A position in one field.
    pub fn field(line: u64, column: usize, header: Option<&str>) -> Self {
        Self {
            line,
            column: Some(column),
            header: header.map(str::to_owned),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = self.column {
            write!(f, ", column {c}")?;
            if let Some(h) = &self.header {
                write!(f, " (`{h}`)")?;
            }
        }
        Ok(())
    }
}

/// Why a row, field or the file is rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    /// The file has no header row at all.
    #[error("the file is empty: a header row is required")]
    EmptyFile,
    /// Required columns are absent from the header.
    #[error("missing required column(s) {}", list(.0))]
    MissingColumns(Vec<String>),
    /// A header names a column this file type does not have.
    #[error("unknown column `{0}`")]
    UnknownColumn(String),
    /// A header names the same column twice.
    #[error("column `{0}` appears more than once")]
    DuplicateColumn(String),
    /// A header cell is empty.
    #[error("empty column name")]
    EmptyColumnName,
    /// The record has a different number of fields than the header.
    #[error("expected {expected} field(s), found {found}")]
    WrongColumnCount {
        /// Fields in the header.
        expected: usize,
        /// Fields in this record.
        found: usize,
    },
    /// The field is not valid UTF-8.
    #[error("not valid UTF-8 text")]
    InvalidUtf8,
    /// The file could not be read or parsed as CSV.
    #[error("unreadable CSV: {0}")]
    Malformed(String),
    /// A required value is empty.
    #[error("a value is required")]
    Required,
    /// The email address is not well formed.
    #[error("invalid email address")]
    InvalidEmail,
    /// The username is not acceptable.
    #[error("invalid username: {0}")]
    InvalidUsername(&'static str),
    /// The group name is not acceptable.
    #[error("invalid group name: {0}")]
    InvalidGroupName(&'static str),
    /// The display name is not acceptable.
    #[error("invalid display name: {0}")]
    InvalidDisplayName(&'static str),
    /// The group does not exist (and creating groups was not allowed).
    #[error("unknown group `{0}`")]
    UnknownGroup(String),
    /// The group already exists (group creation).
    #[error("group `{0}` already exists")]
    GroupExists(String),
    /// The same group is listed twice (group creation).
    #[error("group `{name}` is listed twice, first on line {first_line}")]
    DuplicateGroup {
        /// The group.
        name: String,
        /// Where it was first listed.
        first_line: u64,
    },
    /// The username appears twice in the file.
    #[error("duplicate username: first on line {first_line}")]
    DuplicateUsername {
        /// Where it first appeared.
        first_line: u64,
    },
    /// The same user id appears twice (Atlassian exports).
    #[error("duplicate user id: first on line {first_line}")]
    DuplicateUserId {
        /// Where it first appeared.
        first_line: u64,
    },
    /// A yes/no value could not be read.
    #[error("expected {} (any case)", crate::validate::boolean_spellings())]
    InvalidBoolean,
    /// A number could not be read.
    #[error("expected a whole number")]
    InvalidNumber,
    /// A date or timestamp could not be read.
    #[error("unrecognised date `{0}`")]
    InvalidDate(String),
    /// An account status could not be read (Atlassian exports).
    #[error("unrecognised user status `{0}`")]
    InvalidStatus(String),
    /// No directory has this name or id.
    #[error("unknown directory `{0}`")]
    UnknownDirectory(String),
    /// No default directory exists for new users.
    #[error("no directory to create the user in: name one in the `directory` column")]
    NoDirectory,
    /// The user exists in another directory; moving users is not supported.
    #[error("the user lives in directory `{0}`; moving users between directories is not supported")]
    DirectoryMismatch(String),
    /// The user is a system administrator: an import cannot deactivate them
    /// or take their groups away.
    #[error("the user is a system administrator and is protected from this change")]
    ProtectedUser,
    /// The directory refuses the write this row needs.
    #[error("directory `{directory}` does not allow {what}")]
    ReadOnlyDirectory {
        /// The directory's name.
        directory: String,
        /// What was refused ("creating users", "changing memberships of `g`", …).
        what: String,
    },
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One problem: where, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{position}: {kind}")]
pub struct Problem {
    /// Where.
    pub position: Position,
    /// Why.
    pub kind: ProblemKind,
}

impl Problem {
    /// A problem at `position`.
    pub fn new(position: Position, kind: ProblemKind) -> Self {
        Self { position, kind }
    }
}

/// A bounded list of problems: the first `limit` are kept, the rest counted,
/// so a 1M-row file full of errors cannot exhaust memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problems {
    kept: Vec<Problem>,
    total: u64,
    limit: usize,
}

impl Problems {
    /// An empty list keeping at most `limit` problems.
    pub fn with_limit(limit: usize) -> Self {
        Self {
            kept: Vec::new(),
            total: 0,
            limit,
        }
    }

    /// Records a problem.
    pub fn push(&mut self, problem: Problem) {
        self.total += 1;
        if self.kept.len() < self.limit {
            self.kept.push(problem);
        }
    }

    /// The kept problems, in the order found.
    pub fn kept(&self) -> &[Problem] {
        &self.kept
    }

    /// How many problems were found in all (kept or not).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// True when none was found.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Sorts the kept problems by position (line, then column).
    pub fn sort(&mut self) {
        self.kept.sort_by(|a, b| a.position.cmp(&b.position));
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.kept {
            writeln!(f, "{p}")?;
        }
        let more = self.total.saturating_sub(self.kept.len() as u64);
        if more > 0 {
            writeln!(f, "… and {more} more problem(s)")?;
        }
        Ok(())
    }
}

/// A whole-file failure: the file was rejected and nothing changes.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the file has {} problem(s); nothing was changed", .0.total())]
pub struct Rejected(pub Problems);
