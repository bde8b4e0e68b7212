//! The JNI entry points: the `native` methods of `io.seatwarden.bridge.Native`.
//!
//! Each one is the same shape: `guard` (or `bytes_call`, which is `guard`
//! plus reading the request) around a call into plain Rust. Nothing decides
//! anything here; see `engine.rs` and `envelope.rs` for what the calls do.
#![expect(
    unsafe_code,
    reason = "`#[unsafe(no_mangle)]` is how the JVM finds the entry points"
)]

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass};
use jni::sys::{JNI_FALSE, JNI_TRUE, jboolean, jbyteArray, jlong};
use serde::Serialize;

use crate::engine::{self, Engine};
use crate::envelope::{self, BRIDGE_VERSION};
use crate::guard::{bytes_call, guard, new_bytes};
use crate::ingest::{self, Builder};
use crate::registry::Registry;

/// The engines this copy of the library has open (see `registry.rs` for why
/// a per-copy static is safe across plugin reloads).
pub(crate) static ENGINES: Registry<Engine> = Registry::new();

/// Paged snapshot builds in progress, by handle (a namespace of their own).
static BUILDERS: Registry<Builder> = Registry::new();

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
