//! Reading the whole directory from the host into a new index, with the
//! host's pages fetched on the calling thread while a builder thread parses
//! the page before.
//!
//! Why two threads: at a million users the JNI host's pages cost about as
//! much to make (Java encodes each one: ~0.3 s of CPU per million users) as
//! the builder takes to parse them (~0.3 s more). Read in turn the two add
//! up; overlapped, a rebuild takes about the longer of the two. The service
//! otherwise starts no threads, and this one is bounded by the same rules:
//!
//! - only the calling thread calls the host (a JNI host must be called on
//!   the thread Java attached; the builder thread runs pure Rust);
//! - the thread is scoped to the call ([`std::thread::scope`]): none
//!   outlives it, whatever fails;
//! - at most three pages are alive at once: one parsed, one queued (the
//!   channel holds one), one being fetched;
//! - errors are the ones the serial loop gave, in its order: a page fails
//!   before anything fetched after it (the builder's error wins over a
//!   later fetch's), and a failed build keeps nothing. The only difference
//!   is that the host may be asked for one page more before the builder's
//!   error is seen. A panic on the builder thread is
//!   [`ServiceError::IndexBuildPanicked`], not an unwinding service.

use std::ops::ControlFlow;
use std::sync::mpsc;

use seatwarden_core::index::{DirectoryIndex, IndexBuilder};
use seatwarden_core::snapshot::{SnapshotError, SnapshotPage};

use super::ServiceError;
use crate::host::{Host, RawUsersPage};

/// Reads `host`'s header and every page (`limit` users a page) into a new
/// index.
pub(super) fn read_index(host: &dyn Host, limit: usize) -> Result<DirectoryIndex, ServiceError> {
    let mut builder = IndexBuilder::new(host.header()?)?;
    pipelined(
        &mut builder,
        |builder: &mut IndexBuilder, page: Page| page.add_to(builder),
        |deliver| fetch_pages(host, limit, deliver),
    )?;
    Ok(builder.finish()?)
}

/// A page as the host gave it.
enum Page {
    /// As JSON (the JNI host): streamed straight into the columns.
    Raw(RawUsersPage),
    /// Already decoded.
    Decoded(SnapshotPage),
}

impl Page {
    /// Adds the page to `builder`; a rejected page adds nothing.
    fn add_to(&self, builder: &mut IndexBuilder) -> Result<(), SnapshotError> {
        match self {
            Page::Raw(raw) => builder.add_page_json(raw.json()),
            Page::Decoded(page) => builder.add_page(page),
        }
    }
}

/// Fetches the pages in order and hands each to `deliver`, stopping early
/// (without an error) when `deliver` says the pages are no longer wanted.
fn fetch_pages(
    host: &dyn Host,
    limit: usize,
    deliver: &mut dyn FnMut(Page) -> ControlFlow<()>,
) -> Result<(), ServiceError> {
    let mut cursor: Option<String> = None;
    loop {
        let (page, next) = match host.users_page_json(cursor.as_deref(), limit) {
            Some(raw) => {
                let mut raw = raw?;
                let next = raw.next.take();
                (Page::Raw(raw), next)
            }
            None => {
                let page = host.users_page(cursor.as_deref(), limit)?;
                (Page::Decoded(SnapshotPage { users: page.users }), page.next)
            }
        };
        if deliver(page).is_break() {
            return Ok(());
        }
        let more = crate::host::advance(&mut cursor, next)
            .map_err(|crate::host::CursorStuck| ServiceError::CursorStuck)?;
        if !more {
            return Ok(());
        }
    }
}

/// Runs `produce` on this thread and `consume` (over `state`) on a scoped
/// worker, the items passing through a channel of one.
///
/// The consumer's error stops the producer at its next delivery and is the
/// answer; the producer's error is the answer only when the consumer
/// accepted everything delivered before it (as if each item had been
/// consumed as soon as it was produced). A panic on the worker is
/// [`ServiceError::IndexBuildPanicked`]; one in `produce` unwinds as it
/// would have, after the worker has ended.
fn pipelined<S, T, E>(
    state: &mut S,
    mut consume: impl FnMut(&mut S, T) -> Result<(), E> + Send,
    produce: impl FnOnce(&mut dyn FnMut(T) -> ControlFlow<()>) -> Result<(), ServiceError>,
) -> Result<(), ServiceError>
where
    S: Send,
    T: Send,
    E: Send,
    ServiceError: From<E>,
{
    std::thread::scope(|scope| {
        let (sender, items) = mpsc::sync_channel::<T>(1);
        let worker = std::thread::Builder::new()
            .name("seatwarden-ingest".to_owned())
            .spawn_scoped(scope, move || {
                // Returning drops `items`, which ends the producer's sends.
                for item in items {
                    consume(state, item)?;
                }
                Ok::<(), E>(())
            })
            .map_err(|e| ServiceError::IndexThread(e.to_string()))?;
        let produced = produce(&mut |item| {
            if sender.send(item).is_ok() {
                ControlFlow::Continue(())
            } else {
                ControlFlow::Break(())
            }
        });
        drop(sender);
        match worker.join() {
            Err(_) => Err(ServiceError::IndexBuildPanicked),
            Ok(Err(e)) => Err(e.into()),
            Ok(Ok(())) => produced,
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::host::HostError;

    /// A consumer error of the tests (a `SnapshotError` stands for it).
    fn rejected(item: u32) -> SnapshotError {
        SnapshotError::TooLarge {
            what: if item == 3 { "item 3" } else { "another item" },
        }
    }

    /// Produces `0..n` (counting the items produced), failing with a host
    /// error at `fail_at` if given.
    fn producer(
        n: u32,
        fail_at: Option<u32>,
        produced: &AtomicUsize,
    ) -> impl FnOnce(&mut dyn FnMut(u32) -> ControlFlow<()>) -> Result<(), ServiceError> + '_ {
        move |deliver| {
            for i in 0..n {
                if fail_at == Some(i) {
                    return Err(HostError::Unavailable(format!("item {i}")).into());
                }
                produced.fetch_add(1, Ordering::SeqCst);
                if deliver(i).is_break() {
                    return Ok(());
                }
            }
            Ok(())
        }
    }

    #[test]
    fn every_item_is_consumed_in_order() {
        let produced = AtomicUsize::new(0);
        let mut seen = Vec::new();
        pipelined(
            &mut seen,
            |seen: &mut Vec<u32>, i| {
                seen.push(i);
                Ok::<(), SnapshotError>(())
            },
            producer(50, None, &produced),
        )
        .unwrap();
        assert_eq!(seen, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn a_consumer_error_is_the_answer_and_stops_the_producer() {
        let produced = AtomicUsize::new(0);
        let mut seen = Vec::new();
        let err = pipelined(
            &mut seen,
            |seen: &mut Vec<u32>, i| {
                if i == 3 {
                    return Err(rejected(i));
                }
                seen.push(i);
                Ok(())
            },
            producer(1_000, Some(900), &produced),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), ServiceError::from(rejected(3)).to_string());
        assert_eq!(seen, [0, 1, 2]);
        // Item 3 failed; the producer may have got up to two items further
        // (one queued, one being delivered) before its delivery failed.
        let n = produced.load(Ordering::SeqCst);
        assert!((4..=6).contains(&n), "{n} items produced");
    }

    #[test]
    fn an_earlier_items_error_wins_over_the_producers_later_one() {
        let produced = AtomicUsize::new(0);
        let mut seen = Vec::new();
        // Item 3 is rejected; the producer fails right after delivering it.
        let err = pipelined(
            &mut seen,
            |_: &mut Vec<u32>, i| if i == 3 { Err(rejected(i)) } else { Ok(()) },
            producer(10, Some(4), &produced),
        )
        .unwrap_err();
        assert!(matches!(err, ServiceError::Snapshot(_)), "{err:?}");
        // Without a consumer error the producer's is the answer.
        let err = pipelined(
            &mut seen,
            |seen: &mut Vec<u32>, i| {
                seen.push(i);
                Ok::<(), SnapshotError>(())
            },
            producer(10, Some(4), &AtomicUsize::new(0)),
        )
        .unwrap_err();
        assert!(matches!(err, ServiceError::Host(_)), "{err:?}");
        assert_eq!(seen, [0, 1, 2, 3]);
    }

    #[test]
    fn a_panic_on_the_worker_is_an_error_and_no_thread_outlives_the_call() {
        let produced = AtomicUsize::new(0);
        let consumed = AtomicUsize::new(0);
        let err = pipelined(
            &mut (),
            |(): &mut (), i| {
                consumed.fetch_add(1, Ordering::SeqCst);
                assert!(i != 5, "a bug in the builder");
                Ok::<(), SnapshotError>(())
            },
            producer(1_000, None, &produced),
        )
        .unwrap_err();
        assert!(matches!(err, ServiceError::IndexBuildPanicked), "{err:?}");
        // The call returned: the scope joined the worker, which consumed
        // nothing after its panic.
        assert_eq!(consumed.load(Ordering::SeqCst), 6);
        assert!(produced.load(Ordering::SeqCst) <= 8);
    }
}
