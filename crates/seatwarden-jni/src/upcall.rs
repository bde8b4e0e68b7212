//! Calls from Rust into Java objects: the Host and Store ports, and the
//! testing entry points.
//!
//! Rules (DESIGN.md §6): only on the thread that called in, only methods of
//! objects Java handed us (never a class looked up by name, which on a
//! native-attached thread would see the wrong classloader), bytes in and
//! bytes out, and every call in its own local-reference frame, so a loop of a
//! million upcalls (a user page at a time) never exhausts the JVM's local
//! references.
//!
//! Two flavours:
//!
//! - [`call_bytes`] leaves a Java exception thrown by the method pending and
//!   reports `Error::JavaException`, which the guard lets propagate unchanged
//!   (the testing entry points prove that path);
//! - [`Port::call`] is what the service's ports use in the middle of a run:
//!   a Java exception is *cleared* and becomes a [`PortFailure`], because the
//!   service goes on (a failed write never aborts a run) and the next JNI call
//!   would be undefined with an exception pending. The Java adapters
//!   (`HostBridge`, `StoreBridge`) catch the exceptions the ports declare and
//!   answer them as JSON, so only the unexpected ever gets here.

use jni::errors::{Error, Result};
use jni::objects::{GlobalRef, JByteArray, JObject, JValue, ReleaseMode};
use jni::{JNIEnv, JavaVM};

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
        let answer = upcall(env, target, method, payload)?;
        read_bytes(env, &answer)
    })
}

/// Calls `byte[] method(byte[])` on `target` with `payload`; the answer as a
/// local reference of the caller's frame, never null.
fn upcall<'local>(
    env: &mut JNIEnv<'local>,
    target: &JObject<'_>,
    method: &str,
    payload: &[u8],
) -> Result<JByteArray<'local>> {
    let argument = env.byte_array_from_slice(payload)?;
    let answer = env
        .call_method(target, method, "([B)[B", &[JValue::Object(&argument)])?
        .l()?;
    if answer.is_null() {
        return Err(Error::NullPtr("upcall answered null"));
    }
    Ok(JByteArray::from(answer))
}

/// Calls `byte[] method(byte[])` on `target` for an answer the target *lends*:
/// its own buffer, which `read` sees in place (no copy into Rust first) and
/// which is handed back with `void pageRead(byte[])` once `read` has
/// succeeded, so the target can write its next answer into it.
///
/// `read` runs inside a JNI critical section (`GetPrimitiveArrayCritical`):
/// it gets bytes only, no `JNIEnv`, so it can make no JNI call (the borrow of
/// `env` by the critical elements enforces that), and it should be brief
/// (the garbage collector may wait for it). A failed `read` does not hand
/// the buffer back: the target then simply writes its next answer elsewhere.
#[expect(
    unsafe_code,
    reason = "reading the lent answer in place needs GetPrimitiveArrayCritical"
)]
pub(crate) fn call_lent<T, E>(
    env: &mut JNIEnv<'_>,
    target: &JObject<'_>,
    method: &str,
    payload: &[u8],
    read: impl FnOnce(&[u8]) -> std::result::Result<T, E>,
) -> Result<std::result::Result<T, E>> {
    env.with_local_frame(4, |env| {
        let answer = upcall(env, target, method, payload)?;
        let outcome = {
            // SAFETY: the array is a live local reference of this frame, and
            // Java hands out a lent buffer to no one else until `pageRead`
            // (below, after this block), so no thread writes it while it is
            // pinned; the elements are only read, and released unchanged
            // (`NoCopyBack`). While they are held `env` is borrowed by them,
            // so no JNI call can happen inside the critical section.
            let elements =
                unsafe { env.get_array_elements_critical(&answer, ReleaseMode::NoCopyBack)? };
            // SAFETY: `jbyte` is `i8`, which has the layout of `u8`; the
            // slice lives no longer than `elements`.
            let bytes = unsafe {
                std::slice::from_raw_parts(elements.as_ptr().cast::<u8>(), elements.len())
            };
            read(bytes)
        };
        if outcome.is_ok() {
            env.call_method(target, "pageRead", "([B)V", &[JValue::Object(&answer)])?;
        }
        Ok(outcome)
    })
}

/// Why a port upcall did not answer.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum PortFailure {
    /// The calling thread is not a Java thread (Rust never attaches one).
    #[error("the port was called from a thread the JVM does not know")]
    NotAttached,
    /// The Java method threw; the exception was cleared.
    #[error("the java port threw an unexpected exception")]
    Threw,
    /// JNI itself failed (an allocation, a null answer).
    #[error("the jni call to the port failed: {0}")]
    Jni(String),
}

/// A Java object with a `byte[] call(byte[])` method, held as a global
/// reference for as long as the service lives.
///
/// `Send + Sync` (a global reference and the VM pointer are both valid on
/// every thread); calls use the calling thread's `JNIEnv`, which exists
/// because every call into the service comes from a Java thread.
pub(crate) struct Port {
    vm: JavaVM,
    target: GlobalRef,
}

impl Port {
    /// Holds `target` (a local reference of the current call) globally.
    pub(crate) fn new(env: &mut JNIEnv<'_>, target: &JObject<'_>) -> Result<Port> {
        if target.is_null() {
            return Err(Error::NullPtr("port object"));
        }
        Ok(Port {
            vm: env.get_java_vm()?,
            target: env.new_global_ref(target)?,
        })
    }

    /// Calls `target.call(payload)` for a lent answer (see [`call_lent`]):
    /// `read` sees the answer's bytes in place and keeps what it needs.
    ///
    /// A Java exception is cleared and reported as [`PortFailure::Threw`].
    pub(crate) fn call_lent<T, E>(
        &self,
        payload: &[u8],
        read: impl FnOnce(&[u8]) -> std::result::Result<T, E>,
    ) -> std::result::Result<std::result::Result<T, E>, PortFailure> {
        let mut env = self.vm.get_env().map_err(|_| PortFailure::NotAttached)?;
        let outcome = call_lent(&mut env, self.target.as_obj(), "call", payload, read);
        outcome.map_err(|err| failure(&mut env, &err))
    }

    /// Calls `target.call(payload)` on the current thread and returns the answer.
    ///
    /// A Java exception is cleared (never left pending) and reported as
    /// [`PortFailure::Threw`].
    pub(crate) fn call(&self, payload: &[u8]) -> std::result::Result<Vec<u8>, PortFailure> {
        // `get_env` never attaches: a thread Java did not start calling in
        // has no business calling the product.
        let mut env = self.vm.get_env().map_err(|_| PortFailure::NotAttached)?;
        call_bytes(&mut env, self.target.as_obj(), "call", payload)
            .map_err(|err| failure(&mut env, &err))
    }
}

/// Classifies a failed upcall, clearing the Java exception it left pending.
fn failure(env: &mut JNIEnv<'_>, err: &Error) -> PortFailure {
    if env.exception_check().unwrap_or(true) {
        let _ = env.exception_clear();
        PortFailure::Threw
    } else {
        PortFailure::Jni(err.to_string())
    }
}

/// What a Java port adapter answers: `{"ok":true,"result":…}` or
/// `{"ok":false,"error":{"kind":…}}` (the shape of our own envelope).
#[derive(Debug, serde::Deserialize)]
#[serde(bound(deserialize = "T: serde::Deserialize<'de>"))]
pub(crate) struct Reply<T> {
    /// Whether the port method returned normally.
    pub(crate) ok: bool,
    /// Its answer (`null` or absent for "nothing", e.g. no such user).
    #[serde(default)]
    pub(crate) result: Option<T>,
    /// What it threw, classified by the adapter.
    #[serde(default)]
    pub(crate) error: Option<ReplyError>,
}

/// An exception a Java port declared (or did not), as the adapter classified it.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct ReplyError {
    /// `unavailable` (HostUnavailableException), `duplicate_key`
    /// (RecordStore.DuplicateKeyException), or `internal` (anything else).
    pub(crate) kind: String,
    /// The exception's message for `unavailable` (documented free of personal
    /// data); never set for `internal`, whose messages may quote anything.
    #[serde(default)]
    pub(crate) message: Option<String>,
    /// The exception's class name, for `internal`.
    #[serde(default, rename = "type")]
    pub(crate) class: Option<String>,
    /// The clashing key of a `duplicate_key`.
    #[serde(default)]
    pub(crate) key: Option<String>,
}

impl ReplyError {
    /// A message for an error that is not `unavailable` or `duplicate_key`.
    pub(crate) fn describe(&self) -> String {
        match (&self.kind[..], &self.class) {
            ("internal", Some(class)) => format!("the java port threw `{class}`"),
            ("internal", None) => "the java port threw an exception".to_owned(),
            (kind, _) => format!("the java port answered an unknown error kind `{kind}`"),
        }
    }
}

/// The reason a reply could not be read, without quoting it (it may hold
/// personal data): what serde expected and where, as request errors are cut.
pub(crate) fn decode_error(what: &str, err: &serde_json::Error) -> String {
    let wire = crate::envelope::WireError::from_json(&format!("the answer to `{what}`"), err);
    format!(
        "{} (line {}, column {})",
        wire.message,
        err.line(),
        err.column()
    )
}
