//! The one wrapper every entry point goes through.
//!
//! Unwinding into the JVM is undefined behaviour, and a Java exception left
//! half-thrown makes the next JNI call undefined too. So each entry point is
//! `guard(env, default, |env| …)`: the body runs under `catch_unwind`; a JNI
//! failure becomes a `BridgeException`, a panic an `InternalException` (both
//! thrown with `ThrowNew`), and the entry point returns `default`. A Java
//! exception already pending (an upcall threw) is left to propagate as is.
//!
//! Expected failures never get here: the bodies turn them into envelopes
//! (`envelope.rs`), which Java maps to exceptions in one place.

use std::panic::{AssertUnwindSafe, UnwindSafe, catch_unwind};

use jni::JNIEnv;
use jni::objects::JByteArray;
use jni::sys::{JNI_FALSE, JNI_TRUE, jboolean, jbyteArray};

use crate::envelope;
use crate::panic_site;
use crate::registry::Registry;

/// Thrown when JNI itself fails (an unreadable `byte[]`, an allocation failure).
pub(crate) const BRIDGE_EXCEPTION: &str = "io/seatwarden/bridge/BridgeException";
/// Thrown for a panic outside the envelope shield.
pub(crate) const INTERNAL_EXCEPTION: &str = "io/seatwarden/bridge/InternalException";

/// Runs `body`; on error or panic throws the matching Java exception and returns `default`.
pub(crate) fn guard<'local, R>(
    env: &mut JNIEnv<'local>,
    default: R,
    body: impl FnOnce(&mut JNIEnv<'local>) -> jni::errors::Result<R>,
) -> R {
    panic_site::install_hook();
    let outcome = catch_unwind(AssertUnwindSafe(|| body(env)));
    match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => {
            throw(env, BRIDGE_EXCEPTION, &format!("jni call failed: {err}"));
            default
        }
        Err(_) => {
            let site = panic_site::take();
            let message = match site {
                Some(site) => format!("internal error in the native library at {site}"),
                None => "internal error in the native library".to_owned(),
            };
            throw(env, INTERNAL_EXCEPTION, &message);
            default
        }
    }
}

/// Throws `class(message)` unless an exception is already pending.
fn throw(env: &mut JNIEnv<'_>, class: &str, message: &str) {
    // A pending exception (a Java upcall threw, or a JNI function raised one)
    // is the more precise report; never replace it.
    if env.exception_check().unwrap_or(true) {
        return;
    }
    if env.throw_new(class, message).is_err() && !env.exception_check().unwrap_or(true) {
        // Our class could not be found or constructed and nothing is pending:
        // fall back to a class every classloader has.
        let _ = env.throw_new("java/lang/Error", message);
    }
}

/// The body of an entry point taking one request `byte[]` and returning an envelope `byte[]`.
///
/// `handler` gets the request bytes and returns the envelope; it runs inside
/// [`envelope::shielded`], so its panics come back as `internal` envelopes.
pub(crate) fn bytes_call<'local>(
    env: &mut JNIEnv<'local>,
    request: &JByteArray<'local>,
    handler: impl FnOnce(&[u8]) -> Vec<u8>,
) -> jbyteArray {
    guard(env, std::ptr::null_mut(), |env| {
        let bytes = read_bytes(env, request)?;
        let response = envelope::shielded(AssertUnwindSafe(|| handler(&bytes)));
        new_bytes(env, &response)
    })
}

/// The body of an entry point with no request `byte[]` that answers an
/// envelope: `handler` runs inside [`envelope::shielded`].
pub(crate) fn envelope_call(
    env: &mut JNIEnv<'_>,
    handler: impl FnOnce() -> Vec<u8> + UnwindSafe,
) -> jbyteArray {
    guard(env, std::ptr::null_mut(), |env| {
        let response = envelope::shielded(handler);
        new_bytes(env, &response)
    })
}

/// The body of a `boolean close…(long handle)` entry point: true if the
/// handle was open. What it held is dropped once calls still running on it
/// return.
pub(crate) fn close_call<T>(env: &mut JNIEnv<'_>, registry: &Registry<T>, handle: i64) -> jboolean {
    guard(env, JNI_FALSE, |_| {
        Ok(if registry.remove(handle) {
            JNI_TRUE
        } else {
            JNI_FALSE
        })
    })
}

/// Copies a Java `byte[]` into Rust.
pub(crate) fn read_bytes<'local>(
    env: &mut JNIEnv<'local>,
    array: &JByteArray<'local>,
) -> jni::errors::Result<Vec<u8>> {
    let bytes = env.convert_byte_array(array)?;
    // GetByteArrayRegion may raise; check before the next JNI call (and keep
    // -Xcheck:jni quiet).
    if env.exception_check()? {
        return Err(jni::errors::Error::JavaException);
    }
    Ok(bytes)
}

/// Copies bytes into a new Java `byte[]` for returning.
pub(crate) fn new_bytes(env: &mut JNIEnv<'_>, bytes: &[u8]) -> jni::errors::Result<jbyteArray> {
    if i32::try_from(bytes.len()).is_err() {
        return Err(jni::errors::Error::JniCall(jni::errors::JniError::NoMemory));
    }
    let array = env.byte_array_from_slice(bytes)?;
    if env.exception_check()? {
        return Err(jni::errors::Error::JavaException);
    }
    Ok(array.into_raw())
}
