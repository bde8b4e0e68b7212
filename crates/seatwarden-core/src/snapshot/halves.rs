//! Reading a large page message on two threads: its first half on the
//! calling thread straight into the builder, its second half on a scoped
//! second thread into an [`Half`], appended after the first (issue 19:
//! the page parse was ≈ 300 ms of the 1M-user `jni.ingest` on one thread).
//!
//! Why the result is the one-thread read's, always: the cut is a user
//! boundary that the first half's read proves (`fast::read_page_head`
//! reads the page from its start up to the cut, which must be where its
//! next user begins), and the half's set ids are given on the calling
//! thread in the order the one-thread read would give them (see
//! `index::build::half`). Why errors are too: any failure in either half
//! (an error, or merely a form the plain reader leaves to serde) drops the
//! whole page and the caller reads it again on one thread, which finds the
//! first failing user in page order and words its error.
//!
//! The second thread ends within the call, is never attached to a JVM and
//! only sees Rust-owned bytes (docs/jni.md, "Handles and threads"). When
//! no thread can be had, the page is read on one thread. Pages below
//! [`MIN_SPLIT_BYTES`] are too: a thread costs tens of microseconds.

use std::sync::atomic::{AtomicBool, Ordering};

use super::SnapshotHeader;
use super::fast::{self, Unusual};
use super::stream::Plain;
use crate::index::IndexBuilder;
use crate::index::build::{Half, UserFields};

/// Pages smaller than this are read on one thread: about 2,000 users as
/// hosts write them (250 bytes each), a few milliseconds of reading.
pub(super) const MIN_SPLIT_BYTES: usize = 512 * 1024;

/// Reads the page message `text` into `builder` in two halves side by side
/// when it is at least `min_bytes` long and can be cut. Answers whether it
/// did; when not, nothing of the page is kept and the caller reads it on
/// one thread.
pub(super) fn read_page(builder: &mut IndexBuilder, text: &str, min_bytes: usize) -> bool {
    if text.len() < min_bytes {
        return false;
    }
    let Some(stop) = fast::split_point(text) else {
        return false;
    };
    let pages_before = builder.page_count();
    let half = builder.half();
    // Set when the first half fails, so the second stops early: the page
    // will be read again anyway.
    let failed = AtomicBool::new(false);
    let read = std::thread::scope(|scope| {
        let failed = &failed;
        let spawned = std::thread::Builder::new()
            .name("seatwarden-page".to_owned())
            .spawn_scoped(scope, move || {
                let mut sink = HalfSink { half, failed };
                fast::read_page_tail(text, stop, &mut sink).map(|()| sink.half)
            });
        let Ok(worker) = spawned else {
            return Err(Unusual);
        };
        let mut plain = Plain {
            builder: &mut *builder,
            index_in_page: 0,
        };
        let head = fast::read_page_head(text, stop, &mut plain);
        if head.is_err() {
            failed.store(true, Ordering::Relaxed);
        }
        let tail = worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        head.and(tail)
    });
    let kept = match read {
        Ok(half) => builder.append_half(half).is_ok(),
        Err(Unusual) => false,
    };
    if !kept && builder.page_count() > pages_before {
        builder.rollback_page();
    }
    kept
}

/// The plain reader's way into a [`Half`].
struct HalfSink<'a, 'f> {
    half: Half<'a>,
    failed: &'f AtomicBool,
}

impl<'a> fast::Sink<'a> for HalfSink<'a, '_> {
    fn header(&mut self, _: SnapshotHeader) -> Result<(), Unusual> {
        Err(Unusual)
    }

    fn begin_page(&mut self) -> Result<(), Unusual> {
        Err(Unusual)
    }

    fn user(
        &mut self,
        user: &UserFields<'a>,
        groups: &[&'a str],
        groups_json: &'a str,
    ) -> Result<(), Unusual> {
        if self.failed.load(Ordering::Relaxed) {
            return Err(Unusual);
        }
        self.half
            .push(user, groups, groups_json)
            .map_err(|_| Unusual)
    }
}

#[cfg(test)]
mod tests;
