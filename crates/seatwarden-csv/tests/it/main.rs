//! Integration tests of `seatwarden-csv`, one binary: users import,
//! the nasty-file corpus, round-trip and robustness properties.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub(crate) mod common;
mod corpus;
mod import;
mod properties;
