//! The [`Store`](seatwarden_service::store::Store) port over a plain record
//! backend.
//!
//! Why this crate exists: inside Jira and Confluence the only durable place
//! a plugin may keep data is the product's database, reached through Active
//! Objects from Java. Implementing every Store method in Java would put the
//! rules that make automation trustworthy (optimistic configuration saves,
//! idempotent journal outcomes, leases, retention, audit filters and summary
//! cards) in the shim, twice over (the product adapter and the tests' fake),
//! and the shim must hold no rule. Instead the Java side implements
//! [`RecordBackend`]: a handful of dumb row operations over a few tables,
//! each row an id, an optional unique key, an optional group, a time, a
//! short kind and a JSON body, plus a revision for compare-and-set. This
//! crate builds the whole Store contract on top of them ([`RecordStore`]),
//! and the same conformance suite that checks the SQLite store checks it.
//!
//! [`MemoryBackend`] is the contract in memory (tests, benchmarks), and
//! [`backend_conformance`] checks any backend against the contract.
#![deny(missing_docs)]

pub mod backend;
pub mod backend_conformance;
pub mod memory;
pub mod store;

pub use backend::{BackendError, NewRecord, Order, Record, RecordBackend, Scan, Table};
pub use memory::MemoryBackend;
pub use store::RecordStore;
