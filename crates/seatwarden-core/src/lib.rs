//! The pure heart of Seatwarden.
//!
//! Everything that decides something lives here: the domain model (users,
//! groups, directories, licences), the directory snapshot format, the
//! column-oriented directory index and the Users-tab query engine, the
//! dashboard figures, and the policy engine that turns rules into plans.
//!
//! Why pure: the same decisions must come out of the Jira plugin, the
//! Confluence plugin, the standalone host and the tests. Keeping I/O, clocks
//! and threads out of this crate makes every decision a function of its
//! inputs (`now` is always a parameter), so a plan can be recomputed, diffed,
//! hashed and explained anywhere.
#![deny(missing_docs)]

pub mod activity;
pub mod activity_trend;
pub mod bulk;
pub mod config;
pub mod dashboard;
pub mod evaluate;
pub mod exemption;
pub mod forecast;
pub mod index;
pub mod json_error;
pub mod licence_alert;
pub mod login;
pub mod migration;
pub mod model;
pub mod names;
pub mod operation;
pub mod plan;
pub mod policy;
pub mod product_insights;
pub mod query;
pub mod safety;
pub mod savings;
mod scan;
pub mod schedule;
pub mod snapshot;
pub mod strict_json;
pub mod text;
pub mod time;
pub mod warning;

pub use model::{
    ApplicationKey, Directory, DirectoryCapabilities, DirectoryId, DirectoryKind, Group, GroupName,
    Licence, SeatLimit, User, UserKey, Username,
};
pub use operation::{Handover, Operation, OperationFailure};
pub use time::Millis;
