//! Streamed answers: the users, groups and audit exports sent in chunks as
//! they are written, instead of built whole in memory first.
//!
//! Why: at 1M users the users export is 246 MB. Built whole, the first byte
//! left the server after 2.0–2.5 s, the server held the whole file, and the
//! plugin's JVM heap grew 1.85 GB while the CSV crossed JNI as a string
//! (`shared/reviews/performance-2026-12.md` §5.4). Streamed, the server
//! holds one batch of rows at a time and the first chunk leaves after the
//! first batch.
//!
//! Shape: an export is an [`Export`]: a file name and a function writing the
//! CSV to any [`Write`]. The ordinary route (`Service::handle`) runs it into
//! a `Vec` (same bytes, one answer: tests, the OpenAPI checks and hosts that
//! do not stream keep working); [`Service::handle_streamed`] runs it into a
//! [`ChunkWriter`] that hands 64 KiB chunks to the host's [`BodySink`] (the
//! axum body, the Java servlet's output stream). Both pass the same router
//! checks ([`Router::admit`](super::Router::admit)), so streaming cannot
//! skip one.
//!
//! The head (status and headers) goes to the sink lazily, with the first
//! full chunk: an export that fails before then (a bad filter, an unknown
//! key, a store error) is still an ordinary error answer, and an export
//! shorter than one chunk is sent whole. After the head, an error can no
//! longer change the status: the outcome is [`Streamed::Broken`] and the
//! host must end the response as incomplete (abort the connection), never
//! as a finished file.

use std::io::{self, Write};

use seatwarden_core::Millis;

use super::{ApiError, ApiRequest, ApiResponse};
use crate::service::Service;

/// The size of a chunk handed to a [`BodySink`]: large enough that per-chunk
/// costs (a channel send, a JNI upcall, a `byte[]`) vanish next to the bytes,
/// small enough that a slow reader holds little memory.
pub const CHUNK: usize = 64 * 1024;

/// Where a streamed answer goes.
pub trait BodySink {
    /// The status and headers (`head.body` is empty), once, before any chunk.
    fn head(&mut self, head: &ApiResponse) -> io::Result<()>;
    /// The next bytes of the body. An error means the receiver went away:
    /// the export stops.
    fn chunk(&mut self, bytes: &[u8]) -> io::Result<()>;
}

/// How a streamed request ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Streamed {
    /// The answer is whole (an error, a route that does not stream, or a
    /// body shorter than one chunk): the host sends it as usual; the sink
    /// saw nothing.
    Whole(ApiResponse),
    /// The head and every byte of the body went to the sink.
    Sent {
        /// Body bytes sent.
        bytes: u64,
    },
    /// The head and some chunks went out, then the export failed or the
    /// receiver went away: the body is incomplete, and the host must say so
    /// (abort the response), never end it as a finished file.
    Broken {
        /// Body bytes sent before the failure.
        bytes: u64,
        /// Why, for the log (no personal data).
        reason: String,
    },
}

/// The function that writes an export's body.
pub(crate) type WriteBody<'s> = Box<dyn FnOnce(&mut dyn Write) -> Result<(), ApiError> + 's>;

/// An export: its file name and the function writing its CSV.
pub(crate) struct Export<'s> {
    filename: String,
    write: WriteBody<'s>,
}

impl<'s> Export<'s> {
    /// An export named `filename` whose body `write` produces.
    pub(crate) fn new(filename: impl Into<String>, write: WriteBody<'s>) -> Self {
        Export {
            filename: filename.into(),
            write,
        }
    }

    /// The whole file as one answer (the ordinary route).
    pub(crate) fn whole(self) -> Result<ApiResponse, ApiError> {
        let mut out = Vec::new();
        (self.write)(&mut out)?;
        Ok(ApiResponse::csv(&self.filename, out))
    }

    /// Writes the export to `sink` in chunks (see the module docs).
    pub(crate) fn stream(self, sink: &mut dyn BodySink) -> Streamed {
        let mut out = ChunkWriter {
            sink,
            head: Some(ApiResponse::csv(&self.filename, Vec::new())),
            buf: Vec::with_capacity(CHUNK),
            sent: 0,
            sink_failed: None,
        };
        let written = (self.write)(&mut out);
        match (written, out.head.take()) {
            // Nothing went out yet: an ordinary answer either way.
            (Err(error), Some(_)) => Streamed::Whole(error.into_response()),
            (Ok(()), Some(mut head)) => {
                head.body = std::mem::take(&mut out.buf);
                Streamed::Whole(head)
            }
            (Err(error), None) => Streamed::Broken {
                bytes: out.sent,
                reason: out
                    .sink_failed
                    .take()
                    .unwrap_or_else(|| format!("the export failed: {}", error.message)),
            },
            (Ok(()), None) => match out.send_rest() {
                Ok(()) => Streamed::Sent { bytes: out.sent },
                Err(e) => Streamed::Broken {
                    bytes: out.sent,
                    reason: format!("the receiver went away: {}", e.kind()),
                },
            },
        }
    }
}

/// Buffers an export's bytes and hands them to the sink a chunk at a time,
/// the head before the first.
struct ChunkWriter<'k> {
    sink: &'k mut dyn BodySink,
    /// The head, until it is sent.
    head: Option<ApiResponse>,
    buf: Vec<u8>,
    sent: u64,
    /// Why the sink refused a chunk (the export's own error then only says
    /// that writing failed).
    sink_failed: Option<String>,
}

impl ChunkWriter<'_> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let result = (|| {
            if let Some(head) = self.head.take() {
                self.sink.head(&head)?;
            }
            self.sink.chunk(bytes)
        })();
        match result {
            Ok(()) => {
                self.sent += bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                self.sink_failed = Some(format!("the receiver went away: {}", e.kind()));
                Err(e)
            }
        }
    }

    /// Sends whatever is buffered (the last, short chunk).
    fn send_rest(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let rest = std::mem::take(&mut self.buf);
        self.send(&rest)
    }
}

impl Write for ChunkWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
            for chunk in full.chunks(CHUNK) {
                if chunk.len() == CHUNK {
                    self.send(chunk)?;
                } else {
                    self.buf.extend_from_slice(chunk);
                }
            }
        }
        Ok(data.len())
    }

    /// Does not send a short chunk: the CSV writers flush after every batch
    /// of rows, and chunks stay full-sized until the last.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Service {
    /// Answers one admin API request at `now` as [`Service::handle`] does,
    /// except that the exports (users, groups, audit) go to `sink` in chunks
    /// as they are written. Every other route, and every refusal, comes back
    /// as [`Streamed::Whole`] for the host to send as usual.
    pub fn handle_streamed(
        &self,
        request: &ApiRequest,
        now: Millis,
        sink: &mut dyn BodySink,
    ) -> Streamed {
        let mut request = request.clone();
        request.context.now = now;
        let (route, params) = match self.router().admit(self, &request) {
            Ok(found) => found,
            Err(error) => return Streamed::Whole(error.into_response()),
        };
        match super::routes::export_of(route.operation_id, self, &request) {
            Some(Ok(export)) => export.stream(sink),
            Some(Err(error)) => Streamed::Whole(error.into_response()),
            None => Streamed::Whole(
                (route.handler)(self, &request, &params).unwrap_or_else(ApiError::into_response),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what a host would receive.
    #[derive(Default)]
    struct Recorder {
        heads: usize,
        body: Vec<u8>,
        chunks: Vec<usize>,
        /// Refuse chunks after this many.
        refuse_after: Option<usize>,
    }

    impl BodySink for Recorder {
        fn head(&mut self, head: &ApiResponse) -> io::Result<()> {
            assert!(head.body.is_empty(), "the head carries no body");
            assert!(self.chunks.is_empty(), "the head comes first");
            self.heads += 1;
            Ok(())
        }
        fn chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
            if self.refuse_after.is_some_and(|n| self.chunks.len() >= n) {
                return Err(io::Error::new(io::ErrorKind::BrokenPipe, "closed"));
            }
            self.chunks.push(bytes.len());
            self.body.extend_from_slice(bytes);
            Ok(())
        }
    }

    fn export_of(bytes: Vec<u8>, pieces: usize, fail_at_end: bool) -> Export<'static> {
        Export::new(
            "x.csv",
            Box::new(move |out: &mut dyn Write| {
                let step = bytes.len().div_ceil(pieces.max(1)).max(1);
                for piece in bytes.chunks(step) {
                    out.write_all(piece)
                        .map_err(|_| ApiError::internal("write failed"))?;
                }
                if fail_at_end {
                    return Err(ApiError::internal("late failure"));
                }
                Ok(())
            }),
        )
    }

    fn bytes(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn a_long_body_arrives_whole_in_full_chunks_after_one_head() {
        for (len, pieces) in [
            (CHUNK * 3 + 17, 7),
            (CHUNK, 1),
            (CHUNK * 2, 1000),
            (5 * CHUNK + 1, 3),
        ] {
            let mut sink = Recorder::default();
            let outcome = export_of(bytes(len), pieces, false).stream(&mut sink);
            assert_eq!(
                outcome,
                Streamed::Sent { bytes: len as u64 },
                "{len}/{pieces}"
            );
            assert_eq!(sink.heads, 1);
            assert_eq!(sink.body, bytes(len));
            let (last, full) = sink.chunks.split_last().unwrap();
            assert!(full.iter().all(|&c| c == CHUNK), "{:?}", sink.chunks);
            assert!(*last <= CHUNK && *last > 0);
        }
    }

    #[test]
    fn a_short_body_or_an_early_failure_is_an_ordinary_answer() {
        let mut sink = Recorder::default();
        let Streamed::Whole(answer) = export_of(bytes(100), 3, false).stream(&mut sink) else {
            panic!("a short export is whole");
        };
        assert_eq!((answer.status, answer.body), (200, bytes(100)));
        assert_eq!((sink.heads, sink.body.len()), (0, 0));

        let mut sink = Recorder::default();
        let Streamed::Whole(answer) = export_of(bytes(100), 3, true).stream(&mut sink) else {
            panic!("a failure before the first chunk is an error answer");
        };
        assert_eq!(answer.status, 500);
        assert_eq!(sink.heads, 0);
    }

    #[test]
    fn a_failure_after_the_head_is_broken_never_finished() {
        let mut sink = Recorder::default();
        let outcome = export_of(bytes(CHUNK * 2 + 5), 4, true).stream(&mut sink);
        let Streamed::Broken {
            bytes: sent,
            reason,
        } = outcome
        else {
            panic!("a late failure breaks the stream");
        };
        assert_eq!(sent, (CHUNK * 2) as u64);
        assert!(reason.contains("late failure"), "{reason}");

        let mut gone = Recorder {
            refuse_after: Some(1),
            ..Recorder::default()
        };
        let outcome = export_of(bytes(CHUNK * 4), 8, false).stream(&mut gone);
        let Streamed::Broken {
            bytes: sent,
            reason,
        } = outcome
        else {
            panic!("a receiver that went away breaks the stream");
        };
        assert_eq!(sent, CHUNK as u64);
        assert!(reason.contains("receiver went away"), "{reason}");
    }
}
