//! The JNI entry points: the `native` methods of `io.seatwarden.bridge.Native`.
//!
//! Each is declared once, in Java's terms, with [`natives!`](crate::native)
//! (which also lists it for the test that compares the list with
//! `Native.java` and `docs/jni.md`). Each body is the same shape: `guard`
//! (through `bytes_call`, `envelope_call` or `close_call`) around a call into
//! plain Rust. Nothing decides anything here; see `engine.rs`,
//! `application.rs` and `envelope.rs` for what the calls do.
#![expect(
    unsafe_code,
    reason = "`#[unsafe(export_name)]` is how the JVM finds the entry points"
)]

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use serde::Serialize;

use crate::application::{self, Application, OpenOptions};
use crate::engine::{self, Engine};
use crate::envelope::WireError;
use crate::envelope::{self, BRIDGE_VERSION};
use crate::guard::{bytes_call, close_call, envelope_call, guard, new_bytes, read_bytes};
use crate::ingest::{self, Builder};
use crate::java_host::JavaHost;
use crate::java_store::JavaRecordBackend;
use crate::registry::Registry;

/// The engines this copy of the library has open (see `registry.rs` for why
/// a per-copy static is safe across plugin reloads).
pub(crate) static ENGINES: Registry<Engine> = Registry::new();

/// Paged snapshot builds in progress, by handle (a namespace of their own).
static BUILDERS: Registry<Builder> = Registry::new();

/// The services this copy of the library has open (a namespace of their own).
pub(crate) static SERVICES: Registry<Application> = Registry::new();

/// What `version()` reports; Java checks `bridgeVersion` at load.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VersionInfo {
    bridge_version: u32,
    library_version: &'static str,
    snapshot_version: u32,
    testing: bool,
}

fn version_info() -> VersionInfo {
    VersionInfo {
        bridge_version: BRIDGE_VERSION,
        library_version: env!("CARGO_PKG_VERSION"),
        snapshot_version: seatwarden_core::snapshot::VERSION,
        testing: cfg!(feature = "testing"),
    }
}

/// The envelope `f` makes of the open service `handle`, or the `closed` error.
pub(crate) fn with_service(handle: i64, f: impl FnOnce(&Application) -> Vec<u8>) -> Vec<u8> {
    answer(application::lookup(&SERVICES, handle), |app| f(app))
}

/// The envelope `f` makes of the open engine `handle`, or the `closed` error.
pub(crate) fn with_engine(handle: i64, f: impl FnOnce(&Engine) -> Vec<u8>) -> Vec<u8> {
    answer(engine::lookup(&ENGINES, handle), |engine| f(engine))
}

fn answer<T>(found: Result<Arc<T>, WireError>, f: impl FnOnce(&T) -> Vec<u8>) -> Vec<u8> {
    match found {
        Ok(it) => f(&it),
        Err(err) => envelope::error(&err),
    }
}

natives! {
    class "Java_io_seatwarden_bridge_Native_", list NATIVE;

    /// `version()`: the envelope of [`VersionInfo`].
    fn version(env) -> bytes {
        envelope_call(env, || envelope::ok(&version_info()))
    }

    /// `open(snapshot)`: builds an engine from a snapshot file; the result is
    /// `{handle, users, memoryBytes}`.
    fn open(env, snapshot: bytes) -> bytes {
        bytes_call(env, &snapshot, |bytes| envelope::respond(engine::open_in(&ENGINES, bytes)))
    }

    /// `query(handle, request)`: one page of the Users tab.
    fn query(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| with_engine(handle, |engine| engine.query(bytes)))
    }

    /// `close(handle)`: true if the handle was open; the engine is dropped
    /// once calls still running on it return.
    fn close(env, handle: long) -> boolean {
        close_call(env, &ENGINES, handle)
    }

    /// `ingestBegin(request)`: `{"version":1,"header":{…}}` starts a paged
    /// build; the result is `{handle}` of the builder.
    fn ingestBegin(env, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| {
            envelope::handle(bytes, |req| ingest::begin(&BUILDERS, req))
        })
    }

    /// `ingestPage(builder, page)`: adds `{"users":[…]}`; the result is
    /// `{users, pages}` so far.
    fn ingestPage(env, builder: long, page: bytes) -> bytes {
        bytes_call(env, &page, |bytes| {
            envelope::respond(ingest::add_page(&BUILDERS, builder, bytes))
        })
    }

    /// `ingestFinish(builder)`: the engine, as `open` returns it.
    fn ingestFinish(env, builder: long) -> bytes {
        envelope_call(env, || envelope::respond(ingest::finish(&BUILDERS, &ENGINES, builder)))
    }

    /// `ingestAbort(builder)`: drops a build; true if it was running.
    fn ingestAbort(env, builder: long) -> boolean {
        close_call(env, &BUILDERS, builder)
    }

    /// `serviceOpen(options, host, store)`: opens a service over a Java
    /// `HostBridge` and `StoreBridge` (held as global references until the
    /// service is closed); the result is `{handle}`. Reads the stored
    /// configuration through `store` before answering.
    fn serviceOpen(env, options: bytes, host: object, store: object) -> bytes {
        guard(env, std::ptr::null_mut(), |env| {
            let bytes = read_bytes(env, &options)?;
            let host = JavaHost::new(env, &host)?;
            let backend = JavaRecordBackend::new(env, &store)?;
            let response = envelope::shielded(AssertUnwindSafe(|| {
                envelope::respond(
                    OpenOptions::parse(&bytes)
                        .and_then(|options| {
                            let store = Arc::new(crate::java_store::record_store(backend));
                            Application::new(Arc::new(host), store, &options)
                        })
                        .and_then(|app| application::open_in(&SERVICES, app)),
                )
            }));
            new_bytes(env, &response)
        })
    }

    /// `serviceHandle(handle, request)`: one admin API request; the result is
    /// the response (`{status, contentType, headers, body|bodyHex}`).
    fn serviceHandle(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| with_service(handle, |app| app.handle(bytes)))
    }

    /// `serviceStream(handle, request, sink, buffer)`: one admin API request
    /// whose export body goes to the Java `sink` in chunks copied into the
    /// lent `buffer` (see `stream.rs`); the result is `{"outcome":"whole",
    /// "response"}`, `{"outcome":"sent","bytes"}` or `{"outcome":"broken",
    /// "bytes","reason"}`.
    fn serviceStream(env, handle: long, request: bytes, sink: object, buffer: bytes) -> bytes {
        guard(env, std::ptr::null_mut(), |env| {
            let bytes = read_bytes(env, &request)?;
            let response = crate::stream::stream_call(env, handle, &bytes, &sink, &buffer);
            new_bytes(env, &response)
        })
    }

    /// `servicePublic(handle, request)`: one *anonymous* request (the "I still
    /// need access" page or a service-desk webhook call); the result is the
    /// response, shaped as `serviceHandle`'s.
    fn servicePublic(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| with_service(handle, |app| app.handle_public(bytes)))
    }

    /// `serviceTick(handle, now)`: the scheduler tick; the result is the tick report.
    fn serviceTick(env, handle: long, now: long) -> bytes {
        envelope_call(env, || with_service(handle, |app| app.tick(now)))
    }

    /// `serviceLogin(handle, request)`: `{"version":1,"username":…,"now":…}`;
    /// the result is the login outcome.
    fn serviceLogin(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| with_service(handle, |app| app.on_login(bytes)))
    }

    /// `serviceLoginFast(handle, username, now)`: the login hook without
    /// JSON for "nothing to do" (see `login_fast.rs`): `[0] + key`, `[1]`,
    /// or the envelope of the login outcome.
    fn serviceLoginFast(env, handle: long, username: bytes, now: long) -> bytes {
        bytes_call(env, &username, |bytes| {
            with_service(handle, |app| app.on_login_fast(bytes, now))
        })
    }

    /// `serviceLoginCheck(handle, request)`: `{"version":1,"username":…,"now":…}`
    /// before the login filter checks a password; the result is the verdict
    /// (`verify`, `not_needed`, `back_off`).
    fn serviceLoginCheck(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| with_service(handle, |app| app.login_check(bytes)))
    }

    /// `serviceLoginCheckBegan(handle, request)`: `{"version":1,"username":…,"now":…}`
    /// journals a password check before the account is activated for it; the
    /// result is `{check}`.
    fn serviceLoginCheckBegan(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| {
            with_service(handle, |app| app.login_check_began(bytes))
        })
    }

    /// `serviceLoginCheckEnded(handle, request)`: `{"version":1,"check":…,"outcome":…,"now":…}`
    /// journals the end of a check once the account is back as it was; the
    /// result is `{check}`.
    fn serviceLoginCheckEnded(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| {
            with_service(handle, |app| app.login_check_ended(bytes))
        })
    }

    /// `serviceLoginVerified(handle, request)`: `{"version":1,"check":…,"now":…}`
    /// once a check ended verified; the result is the login outcome of the
    /// provisional grant.
    fn serviceLoginVerified(env, handle: long, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| {
            with_service(handle, |app| app.login_verified(bytes))
        })
    }

    /// `serviceDrive(handle, now)`: one slice of background work; the result is `{more}`.
    fn serviceDrive(env, handle: long, now: long) -> bytes {
        envelope_call(env, || with_service(handle, |app| app.drive(now)))
    }

    /// `serviceClose(handle)`: true if the handle was open. The service (and
    /// its global references to the host and store) is dropped once calls
    /// still running on it return, on the thread of the last one.
    fn serviceClose(env, handle: long) -> boolean {
        close_call(env, &SERVICES, handle)
    }
}
