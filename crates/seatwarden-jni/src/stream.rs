//! Streamed answers through JNI: the users, groups and audit exports handed
//! to Java as raw bytes, a chunk at a time, as the service writes them.
//!
//! Why: through `serviceHandle` an export crossed JNI as one JSON-escaped
//! string inside the envelope; at 1M users the plugin's heap grew 1.85 GB
//! for a 169 MB CSV (`shared/reviews/performance-2026-12.md` §5.4). The
//! service already streams ([`Service::handle_streamed`] into a
//! [`BodySink`]); this is the JNI [`BodySink`].
//!
//! Shape: an *upcall* sink, not a pull handle. The service pushes (it holds
//! the index lock for a batch of rows, then writes them), so a pull API
//! would need a thread or a resumable export on the Rust side, and a stream
//! handle that Java could leak. Here the export lives exactly as long as one
//! `serviceStream` call: nothing outlives it, so an abandoned export (the
//! browser went away, the servlet's stream threw) ends the call and frees
//! everything on the way out.
//!
//! Java lends one `byte[]` (the caller's, reused for every chunk): each chunk
//! is copied into it (`SetByteArrayRegion`) and announced with
//! `chunk(int length)`, so the JVM allocates nothing per chunk. The head
//! (status and headers) goes once, first, as `head(byte[])` with the JSON of
//! `serviceHandle`'s response without a body. A Java exception from either
//! upcall is cleared (JNI rules: never left pending across the next call)
//! and ends the export as broken; the Java side kept the exception and
//! rethrows it.

use std::io;
use std::panic::AssertUnwindSafe;

use jni::JNIEnv;
use jni::errors::Error;
use jni::objects::{JByteArray, JObject, JValue};
use serde::Serialize;

use seatwarden_core::Millis;
use seatwarden_service::api::{ApiResponse, BodySink, Streamed};

use crate::application::{Application, HandleRequest, HandleResponse, api_request};
use crate::envelope::{self, ErrorKind, WireError};

/// `serviceStream`'s result: how the request ended.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub(crate) enum StreamResult {
    /// Nothing went to the sink: the whole answer, as `serviceHandle` gives it.
    Whole {
        /// The response.
        response: HandleResponse,
    },
    /// The head and every byte of the body went to the sink.
    Sent {
        /// Body bytes sent.
        bytes: u64,
    },
    /// Some of the body went out, then the export failed or the sink threw:
    /// the response must be aborted, never ended as a whole file.
    Broken {
        /// Body bytes sent before the failure.
        bytes: u64,
        /// Why (no personal data).
        reason: String,
    },
}

impl Application {
    /// Answers an admin request as [`Application::handle`] does, except that
    /// an export's body goes to `sink` in chunks.
    pub(crate) fn handle_streamed(&self, request: &[u8], sink: &mut dyn BodySink) -> Vec<u8> {
        envelope::handle(request, |req: HandleRequest| {
            let now = Millis(req.now);
            Ok(match api_request(req) {
                Ok(request) => match self.service().handle_streamed(&request, now, sink) {
                    Streamed::Whole(response) => StreamResult::Whole {
                        response: HandleResponse::from(response),
                    },
                    Streamed::Sent { bytes } => StreamResult::Sent { bytes },
                    Streamed::Broken { bytes, reason } => StreamResult::Broken { bytes, reason },
                },
                Err(refusal) => StreamResult::Whole {
                    response: HandleResponse::from(refusal.into_response()),
                },
            })
        })
    }
}

/// A [`BodySink`] over a Java `StreamBridge`: `head(byte[])`, then
/// `chunk(int)` for each piece copied into the lent `buffer`.
pub(crate) struct JavaSink<'a, 'local> {
    env: &'a mut JNIEnv<'local>,
    target: &'a JObject<'local>,
    buffer: &'a JByteArray<'local>,
    /// The buffer's length: no piece is longer.
    capacity: usize,
}

impl<'a, 'local> JavaSink<'a, 'local> {
    /// A sink calling `target`, lending `buffer` (at least one byte long).
    pub(crate) fn new(
        env: &'a mut JNIEnv<'local>,
        target: &'a JObject<'local>,
        buffer: &'a JByteArray<'local>,
    ) -> Result<Self, WireError> {
        let bad = |what: &str| Err(WireError::new(ErrorKind::BadRequest, what.to_owned()));
        if target.is_null() {
            return bad("the stream's sink is null");
        }
        if buffer.is_null() {
            return bad("the stream's buffer is null");
        }
        let capacity = match env.get_array_length(buffer) {
            Ok(n) if n > 0 => n as usize,
            Ok(_) => return bad("the stream's buffer is empty"),
            Err(_) => return bad("the stream's buffer cannot be read"),
        };
        Ok(JavaSink {
            env,
            target,
            buffer,
            capacity,
        })
    }

    /// Runs one upcall in its own local frame; a Java exception is cleared
    /// and becomes an I/O error (the export stops).
    fn upcall(
        &mut self,
        call: impl FnOnce(
            &mut JNIEnv<'_>,
            &JObject<'local>,
            &JByteArray<'local>,
        ) -> jni::errors::Result<()>,
    ) -> io::Result<()> {
        let (target, buffer) = (self.target, self.buffer);
        let outcome = self
            .env
            .with_local_frame(4, |env| call(env, target, buffer));
        match outcome {
            Ok(()) => Ok(()),
            Err(err) => {
                if self.env.exception_check().unwrap_or(true) {
                    let _ = self.env.exception_clear();
                    Err(io::Error::new(
                        io::ErrorKind::BrokenPipe,
                        "the java sink threw",
                    ))
                } else {
                    Err(io::Error::other(format!("jni: {err}")))
                }
            }
        }
    }
}

/// `&[u8]` as the `&[jbyte]` JNI copies from.
#[expect(
    unsafe_code,
    reason = "a byte slice seen as `jbyte` (`i8`), same layout"
)]
fn as_jbytes(bytes: &[u8]) -> &[i8] {
    // SAFETY: `u8` and `i8` have the same size and alignment and every bit
    // pattern is valid for both; the slice borrows `bytes` for its lifetime.
    unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast::<i8>(), bytes.len()) }
}

impl BodySink for JavaSink<'_, '_> {
    fn head(&mut self, head: &ApiResponse) -> io::Result<()> {
        let json = serde_json::to_vec(&HandleResponse::from(head.clone()))
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.upcall(|env, target, _| {
            let bytes = env.byte_array_from_slice(&json)?;
            env.call_method(target, "head", "([B)V", &[JValue::Object(&bytes)])?;
            Ok(())
        })
    }

    fn chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        for piece in bytes.chunks(self.capacity) {
            let len = i32::try_from(piece.len()).map_err(io::Error::other)?;
            self.upcall(|env, target, buffer| {
                env.set_byte_array_region(buffer, 0, as_jbytes(piece))?;
                if env.exception_check()? {
                    return Err(Error::JavaException);
                }
                env.call_method(target, "chunk", "(I)V", &[JValue::Int(len)])?;
                Ok(())
            })?;
        }
        Ok(())
    }
}

/// The envelope of one streamed request on the service `handle`.
pub(crate) fn stream_call<'local>(
    env: &mut JNIEnv<'local>,
    handle: i64,
    request: &[u8],
    target: &JObject<'local>,
    buffer: &JByteArray<'local>,
) -> Vec<u8> {
    let mut sink = match JavaSink::new(env, target, buffer) {
        Ok(sink) => sink,
        Err(err) => return envelope::error(&err),
    };
    envelope::shielded(AssertUnwindSafe(|| {
        crate::entry::with_service(handle, |app| app.handle_streamed(request, &mut sink))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_tagged_for_java() {
        let sent = serde_json::to_string(&StreamResult::Sent { bytes: 7 }).unwrap();
        assert_eq!(sent, r#"{"outcome":"sent","bytes":7}"#);
        let broken = serde_json::to_string(&StreamResult::Broken {
            bytes: 3,
            reason: "why".into(),
        })
        .unwrap();
        assert_eq!(broken, r#"{"outcome":"broken","bytes":3,"reason":"why"}"#);
    }
}
