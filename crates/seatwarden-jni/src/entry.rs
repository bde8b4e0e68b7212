//! The JNI entry points: the `native` methods of `io.seatwarden.bridge.Native`.
//!
//! Each one is the same shape: `guard` (or `bytes_call`, which is `guard`
//! plus reading the request) around a call into plain Rust. Nothing decides
//! anything here; see `engine.rs` and `envelope.rs` for what the calls do.
#![expect(
    unsafe_code,
    reason = "`#[unsafe(no_mangle)]` is how the JVM finds the entry points"
)]

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JObject};
use jni::sys::{JNI_FALSE, JNI_TRUE, jboolean, jbyteArray, jlong};
use serde::Serialize;

use crate::application::{self, Application, OpenOptions};
use crate::engine::{self, Engine};
use crate::envelope::{self, BRIDGE_VERSION};
use crate::guard::{bytes_call, guard, new_bytes, read_bytes};
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

/// `static native byte[] version()`: the envelope of [`VersionInfo`].
// SAFETY: the name is the JNI mangling of `io.seatwarden.bridge.Native.version`,
// unique in this library, and the signature matches its Java declaration.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_version<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let response = envelope::shielded(|| envelope::ok(&version_info()));
        new_bytes(env, &response)
    })
}

/// `static native byte[] open(byte[] snapshot)`: builds an engine from a
/// snapshot file; the result is `{handle, users, memoryBytes}`.
// SAFETY: as for `version`: JNI mangling of `Native.open`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_open<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    snapshot: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &snapshot, |bytes| {
        envelope::respond(engine::open_in(&ENGINES, bytes))
    })
}

/// `static native byte[] query(long handle, byte[] request)`: one page of the Users tab.
// SAFETY: as for `version`: JNI mangling of `Native.query`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_query<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        match engine::lookup(&ENGINES, handle) {
            Ok(engine) => engine.query(bytes),
            Err(err) => envelope::error(&err),
        }
    })
}

/// `static native boolean close(long handle)`: true if the handle was open.
///
/// The engine is dropped once calls still running on it return.
// SAFETY: as for `version`: JNI mangling of `Native.close`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_close<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jboolean {
    guard(&mut env, JNI_FALSE, |_| {
        Ok(if ENGINES.remove(handle) {
            JNI_TRUE
        } else {
            JNI_FALSE
        })
    })
}

/// `static native byte[] ingestBegin(byte[] request)`: `{"version":1,"header":{…}}`
/// starts a paged build; the result is `{handle}` of the builder.
// SAFETY: as for `version`: JNI mangling of `Native.ingestBegin`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_ingestBegin<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        envelope::handle(bytes, |req| ingest::begin(&BUILDERS, req))
    })
}

/// `static native byte[] ingestPage(long builder, byte[] page)`: adds `{"users":[…]}`;
/// the result is `{users, pages}` so far.
// SAFETY: as for `version`: JNI mangling of `Native.ingestPage`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_ingestPage<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    builder: jlong,
    page: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &page, |bytes| {
        envelope::respond(ingest::add_page(&BUILDERS, builder, bytes))
    })
}

/// `static native byte[] ingestFinish(long builder)`: the engine, as `open` returns it.
// SAFETY: as for `version`: JNI mangling of `Native.ingestFinish`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_ingestFinish<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    builder: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let response =
            envelope::shielded(|| envelope::respond(ingest::finish(&BUILDERS, &ENGINES, builder)));
        new_bytes(env, &response)
    })
}

/// `static native boolean ingestAbort(long builder)`: drops a build; true if it was running.
// SAFETY: as for `version`: JNI mangling of `Native.ingestAbort`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_ingestAbort<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    builder: jlong,
) -> jboolean {
    guard(&mut env, JNI_FALSE, |_| {
        Ok(if BUILDERS.remove(builder) {
            JNI_TRUE
        } else {
            JNI_FALSE
        })
    })
}

/// `static native byte[] serviceOpen(byte[] options, Object host, Object store)`:
/// opens a service over a Java `HostBridge` and `StoreBridge` (held as global
/// references until the service is closed); the result is `{handle}`.
///
/// Reads the stored configuration through `store` before answering.
// SAFETY: JNI mangling of `Native.serviceOpen`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceOpen<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    options: JByteArray<'local>,
    host: JObject<'local>,
    store: JObject<'local>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
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

/// `static native byte[] serviceHandle(long handle, byte[] request)`: one admin
/// API request; the result is the response (`{status, contentType, headers, body|bodyHex}`).
// SAFETY: JNI mangling of `Native.serviceHandle`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceHandle<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        match application::lookup(&SERVICES, handle) {
            Ok(app) => app.handle(bytes),
            Err(err) => envelope::error(&err),
        }
    })
}

/// `static native byte[] serviceTick(long handle, long now)`: the scheduler
/// tick; the result is the tick report.
// SAFETY: JNI mangling of `Native.serviceTick`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceTick<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    now: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let response = envelope::shielded(|| match application::lookup(&SERVICES, handle) {
            Ok(app) => app.tick(now),
            Err(err) => envelope::error(&err),
        });
        new_bytes(env, &response)
    })
}

/// `static native byte[] serviceLogin(long handle, byte[] request)`:
/// `{"version":1,"username":…,"now":…}`; the result is the login outcome.
// SAFETY: JNI mangling of `Native.serviceLogin`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceLogin<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        match application::lookup(&SERVICES, handle) {
            Ok(app) => app.on_login(bytes),
            Err(err) => envelope::error(&err),
        }
    })
}

/// `static native byte[] serviceLoginCheck(long handle, byte[] request)`:
/// `{"version":1,"username":…,"now":…}` before the login filter checks a
/// password; the result is the verdict (`verify`, `not_needed`, `back_off`).
// SAFETY: JNI mangling of `Native.serviceLoginCheck`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceLoginCheck<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        match application::lookup(&SERVICES, handle) {
            Ok(app) => app.login_check(bytes),
            Err(err) => envelope::error(&err),
        }
    })
}

/// `static native byte[] serviceLoginCheckBegan(long handle, byte[] request)`:
/// `{"version":1,"username":…,"now":…}` journals a password check before the
/// account is activated for it; the result is `{check}`.
// SAFETY: JNI mangling of `Native.serviceLoginCheckBegan`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceLoginCheckBegan<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        match application::lookup(&SERVICES, handle) {
            Ok(app) => app.login_check_began(bytes),
            Err(err) => envelope::error(&err),
        }
    })
}

/// `static native byte[] serviceLoginCheckEnded(long handle, byte[] request)`:
/// `{"version":1,"check":…,"outcome":…,"now":…}` journals the end of a
/// check once the account is back as it was; the result is `{check}`.
// SAFETY: JNI mangling of `Native.serviceLoginCheckEnded`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceLoginCheckEnded<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        match application::lookup(&SERVICES, handle) {
            Ok(app) => app.login_check_ended(bytes),
            Err(err) => envelope::error(&err),
        }
    })
}

/// `static native byte[] serviceLoginVerified(long handle, byte[] request)`:
/// `{"version":1,"check":…,"now":…}` once a check ended verified; the
/// result is the login outcome of the provisional grant.
// SAFETY: JNI mangling of `Native.serviceLoginVerified`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceLoginVerified<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        match application::lookup(&SERVICES, handle) {
            Ok(app) => app.login_verified(bytes),
            Err(err) => envelope::error(&err),
        }
    })
}

/// `static native byte[] serviceDrive(long handle, long now)`: one slice of
/// background work; the result is `{more}`.
// SAFETY: JNI mangling of `Native.serviceDrive`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceDrive<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    now: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let response = envelope::shielded(|| match application::lookup(&SERVICES, handle) {
            Ok(app) => app.drive(now),
            Err(err) => envelope::error(&err),
        });
        new_bytes(env, &response)
    })
}

/// `static native boolean serviceClose(long handle)`: true if the handle was open.
///
/// The service (and its global references to the host and store) is dropped
/// once calls still running on it return, on the thread of the last one.
// SAFETY: JNI mangling of `Native.serviceClose`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_Native_serviceClose<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jboolean {
    guard(&mut env, JNI_FALSE, |_| {
        Ok(if SERVICES.remove(handle) {
            JNI_TRUE
        } else {
            JNI_FALSE
        })
    })
}
