//! The JNI bridge: the native library the Java plugin shim loads.
//!
//! Why a separate crate: it is the only place in Seatwarden with `unsafe`
//! code and `extern "system"` functions, and the only one that knows a JVM
//! exists. Everything it does is move bytes across the boundary safely:
//!
//! - every entry point goes through one wrapper ([`guard`](crate::guard)) that
//!   catches panics and JNI failures and turns them into Java exceptions, so
//!   nothing ever unwinds into the JVM;
//! - payloads are UTF-8 JSON in `byte[]`, requests carry a version, responses
//!   are one envelope (`{"ok":true,"result":…}` / `{"ok":false,"error":…}`),
//!   built in [`envelope`](crate::envelope) by code plain unit tests reach;
//! - engines live behind handles in a per-library-copy registry, so `close()`
//!   racing a call is safe and a second copy of the library (a plugin
//!   upgrade's new classloader) shares nothing with the first.
//!
//! The contract with Java (entry points, envelope, error kinds, loading) is
//! written down in `docs/jni.md`.
#![deny(missing_docs)]

// `catch_unwind` is what keeps a panic out of the JVM; with `panic = "abort"`
// a bug would kill the host product instead of becoming an exception.
#[cfg(panic = "abort")]
compile_error!("seatwarden-jni must be built with `panic = \"unwind\"` (see the release profile)");

#[macro_use]
mod native;

mod application;
mod engine;
mod entry;
mod envelope;
mod guard;
mod ingest;
mod java_host;
mod java_store;
mod login_fast;
mod panic_site;
mod registry;
mod stream;
#[cfg(feature = "testing")]
mod testing;
mod upcall;
