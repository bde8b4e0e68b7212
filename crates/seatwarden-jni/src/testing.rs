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

use jni::JNIEnv;
use jni::objects::{JByteArray, JClass, JObject};
use jni::sys::{jbyteArray, jint, jlong};
use serde::Deserialize;

use crate::engine;
use crate::entry::ENGINES;
use crate::envelope::{self, ErrorKind, WireError};
use crate::guard::{bytes_call, guard, new_bytes, read_bytes};
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
