//! Streamed exports (issue 19): the users, groups and audit exports sent in
//! chunks are byte for byte the files built whole the way the routes built
//! them before streaming (`seatwarden_csv::export_users` over the whole
//! selection in one go, the store's audit CSV into one buffer), the head
//! comes first, refusals stay ordinary answers, and an index rebuilt in the
//! middle of an export breaks the stream instead of mixing two directories.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io;
use std::sync::Arc;

use seatwarden_audit::{Action, Actor, AuditEntry, AuditFilter, Status, Target};
use seatwarden_core::index::UserIdx;
use seatwarden_core::query::Query;
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::Service;
use seatwarden_service::api::{ApiRequest, ApiResponse, BodySink, CHUNK, Method, Streamed};
use seatwarden_service::host::memory::MemoryDirectory;
use seatwarden_service::store::{MemoryStore, Store};

use common::{DAY0, admin, options, request, snapshot};

/// What a host would receive.
#[derive(Default)]
struct Received {
    head: Option<ApiResponse>,
    body: Vec<u8>,
    chunks: usize,
    /// Run once, after this many chunks (to change the directory mid-export).
    after: Option<(usize, Box<dyn FnMut()>)>,
}

impl BodySink for Received {
    fn head(&mut self, head: &ApiResponse) -> io::Result<()> {
        assert!(self.head.is_none() && self.chunks == 0, "one head, first");
        self.head = Some(head.clone());
        Ok(())
    }
    fn chunk(&mut self, bytes: &[u8]) -> io::Result<()> {
        assert!(self.head.is_some(), "the head precedes every chunk");
        assert!(bytes.len() <= CHUNK);
        self.body.extend_from_slice(bytes);
        self.chunks += 1;
        if let Some((n, f)) = &mut self.after {
            if self.chunks == *n {
                f();
                self.after = None;
            }
        }
        Ok(())
    }
}

struct Setup {
    store: Arc<dyn Store>,
    service: Service,
}

/// About 6,000 users: past one chunk and several export batches.
fn setup() -> Setup {
    setup_with(|_| {})
}

fn setup_with(change: impl FnOnce(&mut seatwarden_core::snapshot::SnapshotFile)) -> Setup {
    let mut file = snapshot(2_500, 2_500, 1_000);
    change(&mut file);
    let host = Arc::new(MemoryDirectory::new(file));
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let service = Service::new(host, store.clone(), options("node-a", 50)).unwrap();
    Setup { store, service }
}

fn get(path: &str, query: &[(&str, &str)]) -> ApiRequest {
    let mut req = request(Method::Get, path, None, admin());
    req.query = query
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    req
}

fn streamed(service: &Service, req: &ApiRequest) -> (ApiResponse, Vec<u8>, usize) {
    let mut sink = Received::default();
    match service.handle_streamed(req, Millis(DAY0), &mut sink) {
        Streamed::Sent { bytes } => {
            assert_eq!(bytes, sink.body.len() as u64);
            (sink.head.unwrap(), sink.body, sink.chunks)
        }
        other => panic!("{}: not streamed: {other:?}", req.path),
    }
}

/// The users file as the route built it before streaming: the selection,
/// then every row through one writer into one buffer.
fn users_whole(
    service: &Service,
    query: &Query,
    options: &seatwarden_csv::ExportOptions,
) -> Vec<u8> {
    let activity = service.settings().config.settings.activity;
    service
        .with_index(|index| {
            let selected = index
                .matching_counted(query, Millis(DAY0), &activity)
                .unwrap();
            let context = seatwarden_csv::ExportContext::new(index.directories(), index.licences());
            let mut out = Vec::new();
            seatwarden_csv::export_users(
                &mut out,
                options,
                &context,
                selected.iter().filter_map(|i| index.user(UserIdx(i))),
            )
            .unwrap();
            out
        })
        .unwrap()
}

/// Query parameters, the filter they name, the options they name.
type Case = (
    &'static [(&'static str, &'static str)],
    Query,
    seatwarden_csv::ExportOptions,
);

#[test]
fn the_streamed_users_export_is_the_whole_file_byte_for_byte() {
    let s = setup();
    const FILTER: &str = r#"{"status":"active"}"#;
    let cases: [Case; 3] = [
        (
            &[],
            Query::default(),
            seatwarden_csv::ExportOptions::default(),
        ),
        (
            &[("filter", FILTER), ("bom", "true")],
            Query::from_json(FILTER.as_bytes()).unwrap(),
            seatwarden_csv::ExportOptions {
                bom: true,
                ..seatwarden_csv::ExportOptions::default()
            },
        ),
        (
            &[("columns", "username,email,groups")],
            Query::default(),
            seatwarden_csv::ExportOptions {
                columns: vec![
                    seatwarden_csv::UserColumn::Username,
                    seatwarden_csv::UserColumn::Email,
                    seatwarden_csv::UserColumn::Groups,
                ],
                ..seatwarden_csv::ExportOptions::default()
            },
        ),
    ];
    for (query, parsed, options) in cases {
        let req = get("/api/users/export", query);
        let expected = users_whole(&s.service, &parsed, &options);
        let (head, body, chunks) = streamed(&s.service, &req);
        assert_eq!(head.status, 200);
        assert_eq!(head.content_type, "text/csv; charset=utf-8");
        assert!(head.headers.iter().any(|(n, v)| n == "Content-Disposition"
            && v.contains("filename=\"users-")
            && v.contains(".csv")));
        assert!(chunks > 2, "{query:?}: {chunks} chunks");
        assert_eq!(body.len(), expected.len(), "{query:?}");
        assert!(body == expected, "{query:?}: streamed bytes differ");
        // The ordinary route gives the same file in one answer.
        let whole = s.service.handle(&req, Millis(DAY0));
        assert_eq!((whole.status, whole.headers.clone()), (200, head.headers));
        assert!(whole.body == expected);
    }
}

#[test]
fn formula_cells_stay_neutralised_when_streamed() {
    // A display name a spreadsheet would run as a formula, deep in the file.
    let s = setup_with(|file| {
        let users = &mut file.pages[0].users;
        let n = users.len();
        users[n - 7].display_name = "=HYPERLINK(\"http://x\")".to_owned();
    });
    let req = get("/api/users/export", &[]);
    let (_, body, _) = streamed(&s.service, &req);
    let text = String::from_utf8(body).unwrap();
    assert!(text.contains("'=HYPERLINK"), "the formula is neutralised");
    assert!(!text.contains(",=HYPERLINK"), "never raw");
}

#[test]
fn the_streamed_audit_and_groups_exports_are_the_whole_files() {
    let s = setup();
    let entries: Vec<AuditEntry> = (0..2_000u32)
        .map(|i| {
            AuditEntry::new(
                Millis(DAY0 - i64::from(i) * 60_000),
                Actor::system(),
                if i % 3 == 0 {
                    Action::UserDeactivated
                } else {
                    Action::UserActivated
                },
                Status::Success,
            )
            .with_target(Target::user(
                UserKey::from(format!("K{i:05}").as_str()),
                None,
            ))
        })
        .collect();
    s.store.append_audit(&entries).unwrap();
    let mut expected = Vec::new();
    s.store
        .export_audit_csv(&AuditFilter::default(), &mut expected)
        .unwrap();
    let (head, body, chunks) = streamed(&s.service, &get("/api/audit/export", &[]));
    assert!(
        head.headers
            .iter()
            .any(|(_, v)| v.contains("audit-log.csv"))
    );
    assert!(chunks > 2, "{chunks}");
    assert!(body == expected, "streamed audit bytes differ");

    // Groups are a short file here: it comes whole, as before.
    let req = get("/api/groups/export", &[("counts", "true")]);
    let mut sink = Received::default();
    let Streamed::Whole(answer) = s.service.handle_streamed(&req, Millis(DAY0), &mut sink) else {
        panic!("a short file is one answer");
    };
    assert_eq!(answer, s.service.handle(&req, Millis(DAY0)));
    assert!(sink.head.is_none());
}

#[test]
fn refusals_and_other_routes_are_ordinary_answers() {
    let s = setup();
    let mut sink = Received::default();
    for (req, status) in [
        (get("/api/users/export", &[("filter", "{nope")]), 422),
        (get("/api/users/export", &[("keys", "no-such-user")]), 404),
        (get("/api/users/export", &[("colour", "red")]), 400),
        (get("/api/dashboard", &[]), 200),
    ] {
        match s.service.handle_streamed(&req, Millis(DAY0), &mut sink) {
            Streamed::Whole(answer) => {
                assert_eq!(answer.status, status, "{}", req.path);
                assert_eq!(answer, s.service.handle(&req, Millis(DAY0)), "{}", req.path);
            }
            other => panic!("{}: {other:?}", req.path),
        }
    }
    let mut anonymous = get("/api/users/export", &[]);
    anonymous.context = seatwarden_service::api::RequestContext::default();
    let Streamed::Whole(answer) = s
        .service
        .handle_streamed(&anonymous, Millis(DAY0), &mut sink)
    else {
        panic!("refused");
    };
    assert_eq!(answer.status, 401);
    assert!(sink.head.is_none() && sink.body.is_empty());
}

#[test]
fn a_rebuild_during_the_users_export_breaks_the_stream() {
    let s = setup();
    let service = Arc::new(s.service);
    let rebuild = Arc::clone(&service);
    let mut sink = Received {
        after: Some((1, Box::new(move || rebuild.rebuild_index().unwrap()))),
        ..Received::default()
    };
    let req = get("/api/users/export", &[]);
    match service.handle_streamed(&req, Millis(DAY0), &mut sink) {
        Streamed::Broken { bytes, reason } => {
            assert_eq!(bytes, sink.body.len() as u64);
            assert!(reason.contains("read again"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}
