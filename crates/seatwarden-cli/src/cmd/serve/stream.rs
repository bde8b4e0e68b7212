//! Streamed answers over HTTP: the exports leave the server as chunked
//! bodies while the service writes them (`Service::handle_streamed`).
//!
//! Why: built whole, a 1M-user export reached the browser after 2.0–2.5 s
//! and the server held all 246 MB first (issue 19). Here the service runs
//! on a blocking thread and hands 64 KiB chunks to a bounded channel the
//! response body reads from, so the first byte leaves after the first
//! batch of rows and the server holds at most [`IN_FLIGHT`] chunks per
//! download, however slow the reader. A reader that goes away closes the
//! channel, and the export stops at its next chunk.
//!
//! The head (status and headers) comes through a oneshot channel before
//! the body: either the whole ordinary answer (errors, other routes, files
//! shorter than a chunk) or the head of a streamed one. An export that
//! fails after its head was sent cannot change the status any more; the
//! body then ends with an error, so hyper aborts the response instead of
//! ending it cleanly and the client sees an incomplete download, never a
//! short file that looks whole.

use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::response::Response;
use http_body_util::channel::{Channel, Sender};
use seatwarden_core::Millis;
use seatwarden_service::Service;
use seatwarden_service::api::{ApiError, ApiRequest, ApiResponse, BodySink, Streamed};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

/// Chunks buffered between the service and the socket per download.
const IN_FLIGHT: usize = 4;

/// How a streamed request starts.
enum Start {
    /// An ordinary answer: send it as is.
    Whole(ApiResponse),
    /// The head of a streamed body; the chunks follow on the channel.
    Head(ApiResponse),
}

/// The service's side: the head through the oneshot, chunks through the
/// body channel (blocking this thread while the channel is full).
struct ChannelSink {
    runtime: Handle,
    start: Option<oneshot::Sender<Start>>,
    body: Sender<Bytes, io::Error>,
}

fn gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the client went away")
}

impl BodySink for ChannelSink {
    fn head(&mut self, head: &ApiResponse) -> io::Result<()> {
        let start = self.start.take().ok_or_else(gone)?;
        start.send(Start::Head(head.clone())).map_err(|_| gone())
    }

    fn chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        let chunk = Bytes::copy_from_slice(bytes);
        self.runtime
            .block_on(self.body.send_data(chunk))
            .map_err(|_| gone())
    }
}

/// Answers `request` through `Service::handle_streamed`; `into_response`
/// turns an ordinary answer or a streamed head into the HTTP response.
pub(crate) async fn answer(
    service: Arc<Service>,
    request: ApiRequest,
    now: Millis,
    into_response: fn(ApiResponse) -> Response,
) -> Response {
    let (start_tx, start_rx) = oneshot::channel();
    let (body_tx, body) = Channel::<Bytes, io::Error>::new(IN_FLIGHT);
    let runtime = Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut sink = ChannelSink {
            runtime,
            start: Some(start_tx),
            body: body_tx,
        };
        // A panic must not end a streamed body as if the file were complete.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
            service.handle_streamed(&request, now, &mut sink)
        }));
        let failed = match outcome {
            Ok(Streamed::Sent { .. }) => return,
            Ok(Streamed::Whole(answer)) => {
                if let Some(start) = sink.start.take() {
                    // The receiver only goes away with the request.
                    let _ = start.send(Start::Whole(answer));
                }
                return;
            }
            Ok(Streamed::Broken { reason, .. }) => reason,
            Err(_) => "the request handler failed".to_owned(),
        };
        let ChannelSink { start, body, .. } = sink;
        match start {
            // Nothing sent yet: an ordinary error answer.
            Some(start) => {
                let _ = start.send(Start::Whole(ApiError::internal(failed).into_response()));
            }
            // Ends the body with an error: hyper aborts the response.
            None => body.abort(io::Error::other(failed)),
        }
    });
    match start_rx.await {
        Ok(Start::Whole(answer)) => into_response(answer),
        Ok(Start::Head(head)) => {
            let mut response = into_response(head);
            *response.body_mut() = Body::new(body);
            response
        }
        Err(_) => into_response(ApiError::internal("the request handler failed").into_response()),
    }
}
