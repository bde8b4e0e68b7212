//! Entry points that exist only for JUnit (cargo feature `testing`).
//!
//! Java declares them in `io.seatwarden.bridge.NativeTesting`, a class of the
//! test sources, so the shipped `Native` class declares no method the shipped
//! library lacks.
//!
//! They prove the boundary's failure paths against a real JVM: a panic
//! inside and outside the envelope shield, every error kind, an upcall into
//! a Java object (and a Java exception thrown by it), and a call that holds
//! an engine while Java closes it. The library packed into the plugin jar is
//! built without this feature, so none of these symbols ship.
#![expect(
    unsafe_code,
    reason = "`#[unsafe(no_mangle)]` is how the JVM finds the entry points"
)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JObject, JObjectArray};
use jni::sys::{jbyteArray, jint, jlong};
use serde::Deserialize;
use serde_json::json;

use seatwarden_service::store::Store;

use crate::engine;
use crate::entry::{ENGINES, SERVICES};
use crate::envelope::{self, ErrorKind, WireError};
use crate::guard::{bytes_call, guard, new_bytes, read_bytes};
use crate::java_store::{self, JavaRecordBackend};
use crate::upcall;

/// `{"version":1,"kind":"not_found"}`: which error to return.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrorRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    kind: ErrorKind,
}

/// The failure envelope of the requested kind.
fn error_of(request: ErrorRequest) -> Result<(), WireError> {
    let kind = serde_json::to_value(request.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Err(
        WireError::new(request.kind, format!("test error of kind `{kind}`"))
            .with_details(serde_json::json!({ "test": true })),
    )
}

/// `static native byte[] testPanic(byte[] request)`: panics inside the shield,
/// with the request in the panic message (which must not reach Java).
// SAFETY: JNI mangling of `NativeTesting.testPanic`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testPanic<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        #[expect(clippy::panic, reason = "the point of this entry point")]
        {
            panic!(
                "deliberate test panic, input: {}",
                String::from_utf8_lossy(bytes)
            )
        }
    })
}

/// `static native byte[] testPanicUnshielded()`: panics outside the envelope
/// shield, so the outer guard must throw `InternalException`.
// SAFETY: JNI mangling of `NativeTesting.testPanicUnshielded`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testPanicUnshielded<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |_| {
        #[expect(clippy::panic, reason = "the point of this entry point")]
        {
            panic!("deliberate unshielded test panic")
        }
    })
}

/// `static native byte[] testError(byte[] request)`: the failure envelope of
/// the requested kind.
// SAFETY: JNI mangling of `NativeTesting.testError`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testError<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    request: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &request, |bytes| {
        envelope::handle(bytes, error_of)
    })
}

/// `static native byte[] testCallback(Object target, byte[] payload)`: calls
/// `byte[] target.call(byte[])` (a method on the object handed in, never a
/// class looked up by name) and returns its answer as the result. If the
/// Java method throws, that exception propagates unchanged.
// SAFETY: JNI mangling of `NativeTesting.testCallback`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testCallback<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    target: JObject<'local>,
    payload: JByteArray<'local>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let bytes = read_bytes(env, &payload)?;
        let answer = upcall::call_bytes(env, &target, "call", &bytes)?;
        let response = envelope::shielded(|| envelope::ok_raw(&answer));
        new_bytes(env, &response)
    })
}

/// `static native byte[] testCallbackRepeat(Object target, byte[] payload, int times)`:
/// calls `target.call(payload)` `times` times, feeding each answer into the next
/// call, and returns the last; proves upcalls in a loop release their local
/// references (-Xcheck:jni would report them).
// SAFETY: JNI mangling of `NativeTesting.testCallbackRepeat`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testCallbackRepeat<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    target: JObject<'local>,
    payload: JByteArray<'local>,
    times: jint,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let mut bytes = read_bytes(env, &payload)?;
        for _ in 0..times {
            bytes = upcall::call_bytes(env, &target, "call", &bytes)?;
        }
        let response = envelope::shielded(|| envelope::ok_raw(&bytes));
        new_bytes(env, &response)
    })
}

/// `static native byte[] testHold(long handle, long millis)`: keeps the
/// engine in use for `millis` ms, then reports `{"users": n}`; for tests of
/// `close()` racing a call.
// SAFETY: JNI mangling of `NativeTesting.testHold`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testHold<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
    millis: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let response = envelope::shielded(|| {
            envelope::respond(engine::lookup(&ENGINES, handle).map(|engine| {
                let wait = u64::try_from(millis).unwrap_or(0);
                std::thread::sleep(std::time::Duration::from_millis(wait));
                serde_json::json!({ "users": engine.opened(handle).users })
            }))
        });
        new_bytes(env, &response)
    })
}

/// `static native long testOpenHandles()`: how many engines this copy of the library holds.
// SAFETY: JNI mangling of `NativeTesting.testOpenHandles`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testOpenHandles<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jlong {
    guard(&mut env, -1, |_| {
        Ok(i64::try_from(ENGINES.len()).unwrap_or(i64::MAX))
    })
}

/// Each element of a Java `StoreBridge[]` as a record backend (global references).
fn backends<'local>(
    env: &mut JNIEnv<'local>,
    bridges: &JObjectArray<'local>,
) -> jni::errors::Result<VecDeque<JavaRecordBackend>> {
    let n = env.get_array_length(bridges)?;
    let mut out = VecDeque::new();
    for i in 0..n {
        let bridge = env.get_object_array_element(bridges, i)?;
        out.push_back(JavaRecordBackend::new(env, &bridge)?);
        env.delete_local_ref(bridge)?;
    }
    Ok(out)
}

/// `{"passed":true}` or `{"passed":false,"failure":…}` for a conformance outcome.
fn verdict(outcome: Result<(), String>) -> Vec<u8> {
    envelope::ok(&match outcome {
        Ok(()) => json!({ "passed": true }),
        Err(failure) => json!({ "passed": false, "failure": failure }),
    })
}

/// A fresh Store from the next unused Java store (a check needs an empty
/// one). When the test handed in too few, `exhausted` is set (the verdict
/// then fails, naming why) and an in-memory record store stands in.
fn next_store(
    fresh: &RefCell<VecDeque<JavaRecordBackend>>,
    exhausted: &std::cell::Cell<bool>,
) -> Box<dyn Store> {
    match fresh.borrow_mut().pop_front() {
        Some(backend) => Box::new(java_store::record_store(backend)),
        None => {
            exhausted.set(true);
            Box::new(seatwarden_store_records::RecordStore::new(
                seatwarden_store_records::MemoryBackend::new(),
            ))
        }
    }
}

/// `static native byte[] testStoreConformance(Object[] stores)`: runs the
/// service's whole Store conformance suite over the record store built on
/// the Java stores handed in (each must be empty; one is used per check).
// SAFETY: JNI mangling of `NativeTesting.testStoreConformance`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testStoreConformance<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    stores: JObjectArray<'local>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let fresh = RefCell::new(backends(env, &stores)?);
        let exhausted = std::cell::Cell::new(false);
        let response = envelope::shielded(AssertUnwindSafe(|| {
            let outcome =
                seatwarden_service::store::conformance::run_all(&|| next_store(&fresh, &exhausted));
            verdict(if exhausted.get() {
                Err("the test handed in fewer empty stores than the suite has checks".to_owned())
            } else {
                outcome
            })
        }));
        new_bytes(env, &response)
    })
}

/// `static native byte[] testBackendConformance(Object[] stores)`: runs the
/// record-backend conformance suite of `seatwarden-store-records` against
/// the Java stores handed in (each must be empty).
// SAFETY: JNI mangling of `NativeTesting.testBackendConformance`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testBackendConformance<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    stores: JObjectArray<'local>,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let fresh = RefCell::new(backends(env, &stores)?);
        let response = envelope::shielded(AssertUnwindSafe(|| {
            verdict(java_store::backend_conformance(&fresh))
        }));
        new_bytes(env, &response)
    })
}

/// `static native byte[] testGolden(byte[] scenario)`: what the engine makes
/// of one golden scenario file, in the files' line formats (`seatwarden-golden`).
// SAFETY: JNI mangling of `NativeTesting.testGolden`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testGolden<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    scenario: JByteArray<'local>,
) -> jbyteArray {
    bytes_call(&mut env, &scenario, |bytes| {
        envelope::respond(
            serde_json::from_slice(bytes)
                .map_err(|e| WireError::from_json("scenario", &e))
                .and_then(|doc| {
                    seatwarden_golden::outcome(&doc)
                        .map_err(|e| WireError::new(ErrorKind::BadRequest, e.0))
                }),
        )
    })
}

/// `static native long testOpenServices()`: how many services this copy of the library holds.
// SAFETY: JNI mangling of `NativeTesting.testOpenServices`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testOpenServices<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
) -> jlong {
    guard(&mut env, -1, |_| {
        Ok(i64::try_from(SERVICES.len()).unwrap_or(i64::MAX))
    })
}

/// `static native byte[] testServicePanic(long handle)`: panics inside a
/// service call (after looking the handle up), for the "JVM lives on" test.
// SAFETY: JNI mangling of `NativeTesting.testServicePanic`, matching signature.
#[unsafe(no_mangle)]
extern "system" fn Java_io_seatwarden_bridge_NativeTesting_testServicePanic<'local>(
    mut env: JNIEnv<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> jbyteArray {
    guard(&mut env, std::ptr::null_mut(), |env| {
        let response = envelope::shielded(|| match crate::application::lookup(&SERVICES, handle) {
            Ok(app) => {
                let _options = app.service().options();
                #[expect(clippy::panic, reason = "the point of this entry point")]
                {
                    panic!("deliberate test panic inside a service call")
                }
            }
            Err(err) => envelope::error(&err),
        });
        new_bytes(env, &response)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_of_returns_the_requested_kind() {
        for kind in ErrorKind::ALL {
            let err = error_of(ErrorRequest { version: 1, kind }).unwrap_err();
            assert_eq!(err.kind, kind);
            assert!(err.message.starts_with("test error of kind `"));
        }
    }
}
