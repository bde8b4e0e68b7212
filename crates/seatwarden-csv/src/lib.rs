//! CSV import and export for Seatwarden.
//!
//! Admins move user data in and out as CSV: exports for audits and
//! reviews, imports to onboard people in bulk, group lists, and the user
//! export Atlassian's cloud administration produces (so policies can be
//! previewed on real data). This crate turns those files into engine types
//! and plans, and engine data into files, with three promises:
//!
//! - **precise errors**: every problem names its line, column and reason
//!   ([`Problem`]), and a file with any problem changes nothing;
//! - **safe cells**: no exported cell can start a spreadsheet formula
//!   ([`cell`]);
//! - **streaming**: exports write row by row and imports read one reused
//!   record at a time, so 1M-row files need bounded memory.
//!
//! Applying plans (talking to a host) is the service's job; this crate only
//! reads, validates, plans and writes.
#![deny(missing_docs)]

pub mod atlassian;
pub mod atlassian_site;
pub mod cell;
pub mod error;
pub mod export;
pub mod exported;
pub mod groups;
pub mod import;
pub mod index;
pub mod migration;
pub mod preview_source;
pub mod rows;
mod table;
pub mod target;
pub mod timestamp;
pub mod validate;

pub use error::{Position, Problem, ProblemKind, Problems, Rejected};
pub use export::{ExportContext, ExportOptions, ExportUser, UserColumn, UsersWriter, export_users};
pub use exported::{ExportedUser, read_users_export};
pub use import::{
    ImportOptions, ImportPlan, ImportSummary, NewUserNotices, PlannedRow, RowPlan, TEMPLATE,
    plan_users, stream_users, stream_users_while, template_with_groups, validate_users,
};
pub use table::BOM;
pub use target::{ImportTarget, InMemoryDirectory};
