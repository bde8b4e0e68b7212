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
//!
//! Declared once each with [`natives!`](crate::native), like `entry.rs`.
#![expect(
    unsafe_code,
    reason = "`#[unsafe(export_name)]` is how the JVM finds the entry points"
)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;

use jni::JNIEnv;
use jni::objects::JObjectArray;
use serde::Deserialize;
use serde_json::json;

use seatwarden_service::store::Store;

use crate::engine;
use crate::entry::{ENGINES, SERVICES, with_service};
use crate::envelope::{self, ErrorKind, WireError};
use crate::guard::{bytes_call, envelope_call, guard, new_bytes, read_bytes};
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

natives! {
    class "Java_io_seatwarden_bridge_NativeTesting_", list NATIVE_TESTING;

    /// `testPanic(request)`: panics inside the shield, with the request in
    /// the panic message (which must not reach Java).
    fn testPanic(env, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| {
            #[expect(clippy::panic, reason = "the point of this entry point")]
            {
                panic!(
                    "deliberate test panic, input: {}",
                    String::from_utf8_lossy(bytes)
                )
            }
        })
    }

    /// `testPanicUnshielded()`: panics outside the envelope shield, so the
    /// outer guard must throw `InternalException`.
    fn testPanicUnshielded(env) -> bytes {
        guard(env, std::ptr::null_mut(), |_| {
            #[expect(clippy::panic, reason = "the point of this entry point")]
            {
                panic!("deliberate unshielded test panic")
            }
        })
    }

    /// `testError(request)`: the failure envelope of the requested kind.
    fn testError(env, request: bytes) -> bytes {
        bytes_call(env, &request, |bytes| envelope::handle(bytes, error_of))
    }

    /// `testCallback(target, payload)`: calls `byte[] target.call(byte[])` (a
    /// method on the object handed in, never a class looked up by name) and
    /// returns its answer as the result. If the Java method throws, that
    /// exception propagates unchanged.
    fn testCallback(env, target: object, payload: bytes) -> bytes {
        guard(env, std::ptr::null_mut(), |env| {
            let bytes = read_bytes(env, &payload)?;
            let answer = upcall::call_bytes(env, &target, "call", &bytes)?;
            let response = envelope::shielded(|| envelope::ok_raw(&answer));
            new_bytes(env, &response)
        })
    }

    /// `testCallbackRepeat(target, payload, times)`: calls
    /// `target.call(payload)` `times` times, feeding each answer into the
    /// next call, and returns the last; proves upcalls in a loop release
    /// their local references (-Xcheck:jni would report them).
    fn testCallbackRepeat(env, target: object, payload: bytes, times: int) -> bytes {
        guard(env, std::ptr::null_mut(), |env| {
            let mut bytes = read_bytes(env, &payload)?;
            for _ in 0..times {
                bytes = upcall::call_bytes(env, &target, "call", &bytes)?;
            }
            let response = envelope::shielded(|| envelope::ok_raw(&bytes));
            new_bytes(env, &response)
        })
    }

    /// `testHold(handle, millis)`: keeps the engine in use for `millis` ms,
    /// then reports `{"users": n}`; for tests of `close()` racing a call.
    fn testHold(env, handle: long, millis: long) -> bytes {
        envelope_call(env, || {
            envelope::respond(engine::lookup(&ENGINES, handle).map(|engine| {
                let wait = u64::try_from(millis).unwrap_or(0);
                std::thread::sleep(std::time::Duration::from_millis(wait));
                serde_json::json!({ "users": engine.opened(handle).users })
            }))
        })
    }

    /// `testOpenHandles()`: how many engines this copy of the library holds.
    fn testOpenHandles(env) -> long {
        guard(env, -1, |_| Ok(i64::try_from(ENGINES.len()).unwrap_or(i64::MAX)))
    }

    /// `testStoreConformance(stores)`: runs the service's whole Store
    /// conformance suite over the record store built on the Java stores
    /// handed in (each must be empty; one is used per check), but for the
    /// checks that start threads of their own (`conformance::THREADED`):
    /// Rust never calls Java from a thread it started, so JUnit runs those
    /// races with Java threads (`HookSaveRaceTest`).
    fn testStoreConformance(env, stores: objects) -> bytes {
        guard(env, std::ptr::null_mut(), |env| {
            let fresh = RefCell::new(backends(env, &stores)?);
            let exhausted = std::cell::Cell::new(false);
            let response = envelope::shielded(AssertUnwindSafe(|| {
                let outcome = seatwarden_service::store::conformance::run_all_on_one_thread(&|| {
                    next_store(&fresh, &exhausted)
                });
                verdict(if exhausted.get() {
                    Err("the test handed in fewer empty stores than the suite has checks".to_owned())
                } else {
                    outcome
                })
            }));
            new_bytes(env, &response)
        })
    }

    /// `testBackendConformance(stores)`: runs the record-backend conformance
    /// suite of `seatwarden-store-records` against the Java stores handed in
    /// (each must be empty).
    fn testBackendConformance(env, stores: objects) -> bytes {
        guard(env, std::ptr::null_mut(), |env| {
            let fresh = RefCell::new(backends(env, &stores)?);
            let response = envelope::shielded(AssertUnwindSafe(|| {
                verdict(java_store::backend_conformance(&fresh))
            }));
            new_bytes(env, &response)
        })
    }

    /// `testGolden(scenario)`: what the engine makes of one golden scenario
    /// file, in the files' line formats (`seatwarden-golden`).
    fn testGolden(env, scenario: bytes) -> bytes {
        bytes_call(env, &scenario, |bytes| {
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

    /// `testOpenServices()`: how many services this copy of the library holds.
    fn testOpenServices(env) -> long {
        guard(env, -1, |_| Ok(i64::try_from(SERVICES.len()).unwrap_or(i64::MAX)))
    }

    /// `testServicePanic(handle)`: panics inside a service call (after
    /// looking the handle up), for the "JVM lives on" test.
    fn testServicePanic(env, handle: long) -> bytes {
        envelope_call(env, || {
            with_service(handle, |app| {
                let _options = app.service().options();
                #[expect(clippy::panic, reason = "the point of this entry point")]
                {
                    panic!("deliberate test panic inside a service call")
                }
            })
        })
    }
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
