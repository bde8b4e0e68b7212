//! Paged snapshot ingest: a header, then pages of users, then an engine.
//!
//! A 1M-user directory is ~200 MB of JSON; the Java host should never have to
//! build it as one `byte[]`. Instead it sends the header, then one page at a
//! time (each streamed straight into the index columns by
//! [`IndexBuilder::add_page_json`]), then asks for the engine. A builder lives
//! behind its own handle until it is finished or aborted.
//!
//! The session is versioned once, by its first request
//! (`{"version":1,"header":{…}}`); pages are the snapshot's own
//! `{"users":[…]}` objects, sent as is so they can be streamed.

use std::sync::Arc;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::json;

use seatwarden_core::index::IndexBuilder;
use seatwarden_core::snapshot::SnapshotHeader;

use crate::engine::{Engine, Opened, snapshot_error};
use crate::envelope::{ErrorKind, WireError};
use crate::registry::Registry;

/// A build in progress; `None` once finished (by a racing `finish`).
pub(crate) type Builder = Mutex<Option<IndexBuilder>>;

/// `{"version":1,"header":{…}}`: starts a paged build.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct BeginRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    header: SnapshotHeader,
}

/// The result of starting a build.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Begun {
    /// The builder's handle.
    pub(crate) handle: i64,
}

/// Progress after a page.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Progress {
    /// Users added so far.
    pub(crate) users: usize,
    /// Pages added so far.
    pub(crate) pages: usize,
}

/// Validates the header and registers a builder.
pub(crate) fn begin(
    builders: &Registry<Builder>,
    request: BeginRequest,
) -> Result<Begun, WireError> {
    let builder = IndexBuilder::new(request.header).map_err(snapshot_error)?;
    Ok(Begun {
        handle: builders.insert(Mutex::new(Some(builder))),
    })
}

/// Adds one page (`{"users":[…]}`); a rejected page leaves the builder as it was.
pub(crate) fn add_page(
    builders: &Registry<Builder>,
    handle: i64,
    page: &[u8],
) -> Result<Progress, WireError> {
    let builder = lookup(builders, handle)?;
    let mut guard = builder.lock();
    let builder = guard.as_mut().ok_or_else(|| closed(handle))?;
    builder.add_page_json(page).map_err(snapshot_error)?;
    Ok(Progress {
        users: builder.user_count(),
        pages: builder.page_count(),
    })
}

/// Finishes the build and registers the engine. The builder is gone either
/// way: a snapshot that fails the cross-user checks builds nothing.
pub(crate) fn finish(
    builders: &Registry<Builder>,
    engines: &Registry<Engine>,
    handle: i64,
) -> Result<Opened, WireError> {
    let builder = lookup(builders, handle)?;
    builders.remove(handle);
    let taken = builder.lock().take().ok_or_else(|| closed(handle))?;
    let engine = Engine::from_index(taken.finish().map_err(snapshot_error)?);
    let mut opened = engine.opened(0);
    opened.handle = engines.insert(engine);
    Ok(opened)
}

fn lookup(builders: &Registry<Builder>, handle: i64) -> Result<Arc<Builder>, WireError> {
    builders.get(handle).ok_or_else(|| closed(handle))
}

fn closed(handle: i64) -> WireError {
    WireError::new(
        ErrorKind::Closed,
        format!("snapshot build {handle} is finished, aborted or was never started"),
    )
    .with_details(json!({ "handle": handle }))
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    const SNAPSHOT: &[u8] =
        include_bytes!("../../../java-shim/src/test/resources/snapshot-small.json");

    fn parts() -> (Value, Vec<Vec<u8>>) {
        let file: Value = serde_json::from_slice(SNAPSHOT).unwrap();
        let pages = file["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| serde_json::to_vec(p).unwrap())
            .collect();
        (file["header"].clone(), pages)
    }

    fn begin_request(header: &Value) -> BeginRequest {
        crate::envelope::parse_request(
            &serde_json::to_vec(&json!({"version": 1, "header": header})).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn pages_build_the_same_engine_as_the_whole_file() {
        let (builders, engines) = (Registry::new(), Registry::new());
        let (header, pages) = parts();
        let begun = begin(&builders, begin_request(&header)).unwrap();
        let mut last = None;
        for page in &pages {
            last = Some(add_page(&builders, begun.handle, page).unwrap());
        }
        assert_eq!(last, Some(Progress { users: 6, pages: 2 }));
        let opened = finish(&builders, &engines, begun.handle).unwrap();
        let whole = Engine::open(SNAPSHOT).unwrap();
        assert_eq!(opened.users, whole.opened(0).users);
        let request = br#"{"version":1,"now":1763690400000,"query":{"sort":"lastLogin"}}"#;
        let paged = engines.get(opened.handle).unwrap().query(request);
        assert_eq!(paged, whole.query(request));
        assert_eq!(builders.len(), 0, "the builder is gone once finished");
    }

    #[test]
    fn a_rejected_page_changes_nothing_and_the_build_goes_on() {
        let (builders, engines) = (Registry::new(), Registry::new());
        let (header, pages) = parts();
        let begun = begin(&builders, begin_request(&header)).unwrap();
        add_page(&builders, begun.handle, &pages[0]).unwrap();
        let bad = br#"{"users":[{"key":"K9","username":"u9","directoryId":77,"active":true,"created":1600000000000}]}"#;
        let err = add_page(&builders, begun.handle, bad).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert_eq!(err.details["snapshotError"], "unknown_directory");
        assert_eq!(err.details["position"], json!({"page": 1, "index": 0}));
        let progress = add_page(&builders, begun.handle, &pages[1]).unwrap();
        assert_eq!(progress.users, 6);
        assert_eq!(finish(&builders, &engines, begun.handle).unwrap().users, 6);
    }

    #[test]
    fn invalid_header_starts_nothing() {
        let builders = Registry::new();
        let (mut header, _) = parts();
        header["takenAt"] = json!(5);
        let err = begin(&builders, begin_request(&header)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert_eq!(err.details["snapshotError"], "taken_at");
        assert_eq!(builders.len(), 0);
    }

    #[test]
    fn a_failing_finish_builds_nothing_and_ends_the_build() {
        let (builders, engines) = (Registry::new(), Registry::new());
        let (header, pages) = parts();
        let begun = begin(&builders, begin_request(&header)).unwrap();
        // Only the second page: the sysadmin of the header is missing.
        add_page(&builders, begun.handle, &pages[1]).unwrap();
        let err = finish(&builders, &engines, begun.handle).unwrap_err();
        assert_eq!(err.details["snapshotError"], "unknown_sysadmin");
        assert_eq!(engines.len(), 0);
        let again = finish(&builders, &engines, begun.handle).unwrap_err();
        assert_eq!(again.kind, ErrorKind::Closed);
        assert_eq!(
            add_page(&builders, begun.handle, &pages[0])
                .unwrap_err()
                .kind,
            ErrorKind::Closed
        );
    }
}
