//! The engine object behind a handle, and the requests it answers.
//!
//! Until the service layer exists this is the walking skeleton of issue 2: a
//! [`DirectoryIndex`] built from a snapshot, queried with the Users-tab
//! filter. It is plain Rust (bytes in, result or [`WireError`] out), so every
//! path is unit-tested without a JVM; the entry points only move bytes.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::json;

use seatwarden_core::Millis;
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::query::{Query, QueryError};
use seatwarden_core::snapshot::SnapshotError;

use crate::envelope::{self, ErrorKind, WireError};
use crate::registry::Registry;

/// One opened directory: what a handle points at.
#[derive(Debug)]
pub(crate) struct Engine {
    index: DirectoryIndex,
}

/// The result of opening an engine.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Opened {
    /// The handle to pass to later calls.
    pub(crate) handle: i64,
    /// Users in the index.
    pub(crate) users: usize,
    /// Heap bytes the index holds.
    pub(crate) memory_bytes: usize,
}

impl Engine {
    /// Builds an engine from a whole snapshot file (see `docs/snapshot.md`).
    pub(crate) fn open(snapshot: &[u8]) -> Result<Engine, WireError> {
        let index = DirectoryIndex::from_snapshot_json(snapshot).map_err(snapshot_error)?;
        Ok(Engine { index })
    }

    /// Answers a query request (`{"version":1,"now":…,"query":{…}}`) with the envelope of a page.
    pub(crate) fn query(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: QueryRequest| {
            self.index.query(&req.query, req.now).map_err(query_error)
        })
    }

    /// Wraps an index built elsewhere (the paged ingest).
    pub(crate) fn from_index(index: DirectoryIndex) -> Engine {
        Engine { index }
    }

    /// What [`Opened`] reports about this engine, under `handle`.
    pub(crate) fn opened(&self, handle: i64) -> Opened {
        Opened {
            handle,
            users: self.index.user_count(),
            memory_bytes: self.index.memory_bytes(),
        }
    }
}

/// The one place that decides how a snapshot error looks from outside.
pub(crate) fn snapshot_error(err: SnapshotError) -> WireError {
    let kind = match err {
        SnapshotError::Version { .. } => ErrorKind::UnsupportedVersion,
        _ => ErrorKind::BadRequest,
    };
    WireError::new(kind, format!("snapshot is not valid: {err}")).with_details(json!({
        "snapshotError": err.kind(),
        "position": err.position(),
    }))
}

/// The one place that decides how a query error looks from outside.
pub(crate) fn query_error(err: QueryError) -> WireError {
    let details = match &err {
        QueryError::UnknownGroup { field, group } => {
            json!({ "queryError": err.kind(), "field": field, "group": group })
        }
        QueryError::UnknownDirectory { directory } => {
            json!({ "queryError": err.kind(), "directory": directory })
        }
        _ => json!({ "queryError": err.kind() }),
    };
    WireError::new(ErrorKind::BadRequest, format!("query is not valid: {err}"))
        .with_details(details)
}

/// `{"version":1,"now":<UTC ms>,"query":{…}}`: one Users-tab page at `now`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct QueryRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    /// The instant "logged in within N days" is relative to.
    now: Millis,
    /// The filter, sort and page; absent means the defaults (first page of everyone).
    #[serde(default)]
    query: Query,
}

/// Opens an engine from a snapshot file and registers it.
pub(crate) fn open_in(registry: &Registry<Engine>, snapshot: &[u8]) -> Result<Opened, WireError> {
    let engine = Engine::open(snapshot)?;
    let mut opened = engine.opened(0);
    opened.handle = registry.insert(engine);
    Ok(opened)
}

/// The engine behind `handle`, or the `closed` error.
pub(crate) fn lookup(registry: &Registry<Engine>, handle: i64) -> Result<Arc<Engine>, WireError> {
    registry.get(handle).ok_or_else(|| {
        WireError::new(
            ErrorKind::Closed,
            format!("handle {handle} is closed or was never opened"),
        )
        .with_details(json!({ "handle": handle }))
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// The fixture the JUnit tests use too.
    const SNAPSHOT: &[u8] =
        include_bytes!("../../../java-shim/src/test/resources/snapshot-small.json");
    const NOW: i64 = 1_763_690_400_000;

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    fn request(query: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({"version": 1, "now": NOW, "query": query})).unwrap()
    }

    #[test]
    fn open_reports_users_and_registers_a_handle() {
        let registry = Registry::new();
        let opened = open_in(&registry, SNAPSHOT).unwrap();
        assert_eq!(opened.users, 6);
        assert!(opened.memory_bytes > 0);
        assert!(lookup(&registry, opened.handle).is_ok());
        assert_eq!(registry.len(), 1);
    }

    #[test]
    fn invalid_snapshot_is_a_bad_request_naming_the_user_and_changes_nothing() {
        let registry = Registry::new();
        let text = String::from_utf8(SNAPSHOT.to_vec()).unwrap();
        let broken = text.replace(r#""groups": ["developers"]}"#, r#""groups": ["nobody"]}"#);
        assert_ne!(broken, text);
        let err = open_in(&registry, broken.as_bytes()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert!(err.message.contains("`JIRAUSER10103`"), "{}", err.message);
        assert_eq!(err.details["snapshotError"], "unknown_group");
        assert_eq!(err.details["position"], json!({"page": 1, "index": 1}));
        assert_eq!(registry.len(), 0);
    }

    #[test]
    fn snapshot_of_another_version_is_unsupported() {
        let text = String::from_utf8(SNAPSHOT.to_vec()).unwrap();
        let other = text.replacen(r#""version": 1"#, r#""version": 99"#, 1);
        let err = Engine::open(other.as_bytes()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnsupportedVersion);
    }

    #[test]
    fn query_returns_a_page_in_the_envelope() {
        let engine = Engine::open(SNAPSHOT).unwrap();
        let page = parse(&engine.query(&request(json!({
            "includeGroups": ["developers"], "status": "active", "sort": "username"
        }))));
        assert_eq!(page["ok"], true, "{page}");
        let page = &page["result"];
        assert_eq!(page["total"], 2);
        let keys: Vec<&str> = page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["JIRAUSER10100", "JIRAUSER10101"]);
    }

    #[test]
    fn query_without_a_filter_pages_everyone() {
        let engine = Engine::open(SNAPSHOT).unwrap();
        let page = parse(&engine.query(br#"{"version":1,"now":1763690400000}"#));
        assert_eq!(page["result"]["total"], 6, "{page}");
    }

    #[test]
    fn unknown_group_is_a_bad_request_naming_it() {
        let engine = Engine::open(SNAPSHOT).unwrap();
        let page = parse(&engine.query(&request(json!({"excludeGroups": ["ghosts"]}))));
        assert_eq!(page["ok"], false);
        let error = &page["error"];
        assert_eq!(error["kind"], "bad_request");
        assert_eq!(
            error["message"],
            "query is not valid: field `excludeGroups`: unknown group `ghosts`"
        );
        assert_eq!(
            error["details"],
            json!({"queryError": "unknown_group", "field": "excludeGroups", "group": "ghosts"})
        );
    }

    #[test]
    fn query_of_another_version_is_unsupported() {
        let engine = Engine::open(SNAPSHOT).unwrap();
        let page = parse(&engine.query(br#"{"version":7,"now":0,"query":{}}"#));
        assert_eq!(page["error"]["kind"], "unsupported_version");
    }

    #[test]
    fn closed_handle_is_the_closed_kind() {
        let registry = Registry::new();
        let opened = open_in(&registry, SNAPSHOT).unwrap();
        assert!(registry.remove(opened.handle));
        let err = lookup(&registry, opened.handle).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Closed);
        assert_eq!(err.details, json!({"handle": opened.handle}));
    }
}
