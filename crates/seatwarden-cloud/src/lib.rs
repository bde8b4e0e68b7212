//! The Cloud connector: Seatwarden's engine over an Atlassian Cloud
//! organization (issue 20).
//!
//! Data Center reaches end of life; every customer ends up in Cloud, which
//! has no inactivity policy of its own. This crate is the one thing that
//! differs there: the directory. It implements the service's Host port
//! ([`CloudHost`]) over Atlassian's organization admin APIs (Bearer API
//! key) and Jira's REST API (site admin email + API token), so policies,
//! plans, the guard, undo, audit, mail and the UI stay the same.
//!
//! - [`client`]: the HTTP client (authentication, 429 with `Retry-After`,
//!   bounded 5xx retries, errors naming the credential and permission);
//! - [`wire`]: the documented request and response bodies, typed;
//! - [`mapping`]: the one place a Cloud user becomes a snapshot user (and
//!   where the per-product last-active dates become `seen` signals);
//! - [`host`]: the Host implementation, its cache and its writes;
//! - [`fake`]: a faithful fake of the Cloud APIs used, as a local HTTP
//!   server, for tests and `seatwarden serve --demo --cloud`.
//!
//! `docs/cloud.md` lists every endpoint with its source, the limits and the
//! open questions to check against a real organization.

pub mod client;
pub mod error;
pub mod fake;
pub mod host;
pub mod mapping;
pub mod wire;

pub use client::{CloudClient, CloudConfig, Pause, RetryPolicy, Secret};
pub use error::{CloudError, Credential, Permission};
pub use host::{CloudHost, CloudWrite, ConnectionStatus, Fallback, Refreshed};
