//! The Seatwarden application: the Host and Store ports, run orchestration,
//! the login hook and the admin API, independent of any host.
//!
//! A host (the Jira/Confluence plugin over JNI, `seatwarden serve`, the
//! tests) builds one [`Service`] over its [`host::Host`] (the product's user
//! directory) and [`store::Store`] (durable state), shares it in an `Arc`,
//! and calls these from its own threads — the service starts no thread and
//! reads no clock, every entry point takes `now` (UTC milliseconds):
//!
//! | entry point | called by | what it does |
//! |---|---|---|
//! | [`Service::handle`]`(&ApiRequest, now) -> ApiResponse` | request threads | the admin API of `docs/api.md`, with the auth, XSRF and WebSudo checks of [`api::Router`] |
//! | [`Service::tick`]`(now)` | the scheduler, once per cluster every few minutes | resumes interrupted runs, runs due policies (each once across nodes, by Store lease), queues warning and licence-alert mails, purges audit entries past retention |
//! | [`Service::on_login`]`(username_or_key, now)` | the login listener | reactivation, floating licences, groups after login; never waits for a run or for mail |
//! | [`Service::drive`]`(now) -> bool` | a host-owned worker, while it returns `true` | one slice of background work (run now, approved runs, bulk actions, imports, reverts) |
//! | [`Service::deliver_mail`]`(transport, now, batch)` | the host's mail worker | delivers due outbox messages with retries |
//! | [`Service::handle_public`]`(&PublicRequest, now) -> ApiResponse` | request threads, *anonymous* | the "I still need access" page and the service-desk webhooks (see [`access`]) |
//!
//! Long operations answer `202 {runId}` at once and are executed by
//! `drive`; their progress (`done/total/phase`) is readable through
//! `/api/runs/{id}/progress` (or [`Service::progress`]) between slices.
#![deny(missing_docs)]

pub mod access;
pub mod api;
pub mod cloud;
pub mod host;
pub mod service;
pub mod store;
#[cfg(feature = "test-support")]
pub mod testing;

pub use service::{
    DocumentError, EARLY_USERS, IndexBuild, SecretKey, SecretKeyError, Service, ServiceError,
    ServiceOptions,
};
