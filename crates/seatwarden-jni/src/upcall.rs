//! Calls from Rust into Java objects (the Host and Store ports will be these).
//!
//! Rules (DESIGN.md §6): only on the thread that called in, only methods of
//! objects Java handed us (never a class looked up by name, which on a
//! native-attached thread would see the wrong classloader), bytes in and
//! bytes out, and every call in its own local-reference frame, so a loop of a
//! million upcalls (a user page at a time) never exhausts the JVM's local
//! references. A Java exception thrown by the method stays pending and comes
//! back as `Error::JavaException`, which the guard lets propagate unchanged.

use jni::JNIEnv;
use jni::errors::{Error, Result};
use jni::objects::{JByteArray, JObject, JValue};

use crate::guard::read_bytes;

/// Calls `byte[] method(byte[])` on `target` and returns the answer's bytes.
///
/// A `null` answer is an error: ports answer with JSON, even if it is `null`.
pub(crate) fn call_bytes(
    env: &mut JNIEnv<'_>,
    target: &JObject<'_>,
    method: &str,
    payload: &[u8],
) -> Result<Vec<u8>> {
    // Three local references are live at once: the argument, the answer, and
    // the answer as a byte[] view.
    env.with_local_frame(4, |env| {
        let argument = env.byte_array_from_slice(payload)?;
        let answer = env
            .call_method(target, method, "([B)[B", &[JValue::Object(&argument)])?
            .l()?;
        if answer.is_null() {
            return Err(Error::NullPtr("upcall answered null"));
        }
        read_bytes(env, &JByteArray::from(answer))
    })
}
