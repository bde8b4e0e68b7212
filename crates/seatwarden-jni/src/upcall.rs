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
use jni::objects::{GlobalRef, JByteArray, JObject, JValue};
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

    /// Calls `target.call(payload)` on the current thread and returns the answer.
    ///
    /// A Java exception is cleared (never left pending) and reported as
    /// [`PortFailure::Threw`].
    pub(crate) fn call(&self, payload: &[u8]) -> std::result::Result<Vec<u8>, PortFailure> {
        // `get_env` never attaches: a thread Java did not start calling in
        // has no business calling the product.
        let mut env = self.vm.get_env().map_err(|_| PortFailure::NotAttached)?;
        match call_bytes(&mut env, self.target.as_obj(), "call", payload) {
            Ok(bytes) => Ok(bytes),
            Err(err) => {
                if env.exception_check().unwrap_or(true) {
                    let _ = env.exception_clear();
                    Err(PortFailure::Threw)
                } else {
                    Err(PortFailure::Jni(err.to_string()))
                }
            }
        }
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
