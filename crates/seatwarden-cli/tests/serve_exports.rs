//! Streamed exports over HTTP (issue 19): `serve` sends the users export as chunked bodies whose bytes are the file the service builds
//! whole from the same directory, refusals keep their status, and a client
//! that leaves mid-download costs the server nothing lasting.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "serve_support/server.rs"]
mod server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use seatwarden_core::Millis;
use seatwarden_directory_sqlite::SqliteDirectory;
use seatwarden_service::api::Method;
use seatwarden_service::store::MemoryStore;
use seatwarden_service::{Service, ServiceOptions};
use server::{Resp, Server};

fn start(dir: &tempfile::TempDir) -> Server {
    Server::start(
        &dir.path().join("data"),
        &[
            "--demo",
            "--users",
            "3000",
            "--ui-dir",
            "/nonexistent",
            "--tick-seconds",
            "3600",
        ],
    )
}

fn chunked(r: &Resp) -> bool {
    r.header("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
}

#[test]
fn the_users_export_arrives_chunked_and_equals_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let session = server.sign_in();
    let path = "/api/users/export?columns=key,username,email,groups,active&bom=true";
    let r = server.call(&session, "GET", path, None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(chunked(&r), "{:?}", r.headers);
    assert!(r.header("content-length").is_none());
    assert_eq!(r.header("content-type"), Some("text/csv; charset=utf-8"));
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("users-all.csv")
    );
    assert!(r.body.len() > 4 * 64 * 1024, "{} bytes", r.body.len());

    // The same directory read by a service in this process, answered whole.
    let directory = SqliteDirectory::open_in(dir.path().join("data")).unwrap();
    let local = Service::new(
        Arc::new(directory),
        Arc::new(MemoryStore::new()),
        ServiceOptions::default(),
    )
    .unwrap();
    let (route, query) = path.split_once('?').unwrap();
    let mut request = seatwarden_service::testing::request(
        (Method::Get, route),
        None,
        seatwarden_service::testing::admin("K-test"),
    );
    request.query = query
        .split('&')
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            (k.to_owned(), v.to_owned())
        })
        .collect();
    let whole = local.handle(&request, Millis(0));
    assert_eq!(whole.status, 200);
    assert_eq!(r.body.len(), whole.body.len());
    assert!(
        r.body == whole.body,
        "streamed bytes differ from the whole file"
    );
    assert_eq!(r.text().lines().count(), 3001);
}

#[test]
fn refusals_stay_ordinary_and_a_client_leaving_mid_download_harms_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&dir);
    let session = server.sign_in();
    let bad = server.call(&session, "GET", "/api/users/export?filter=%7Bnope", None);
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(!chunked(&bad), "an error is one ordinary answer");
    assert_eq!(bad.kind(), "validation");
    let anonymous = server.request("GET", "/api/users/export", &[], b"");
    assert_eq!(anonymous.status, 401);

    // Read the head and a little of the body, then hang up.
    for _ in 0..3 {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        write!(
            stream,
            "GET /api/users/export HTTP/1.1\r\nHost: {}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            server.addr, session.cookie
        )
        .unwrap();
        let mut first = [0u8; 4096];
        let mut got = 0;
        while got < first.len() {
            let n = stream.read(&mut first[got..]).unwrap();
            assert!(n > 0, "the server closed early");
            got += n;
        }
        assert!(String::from_utf8_lossy(&first).starts_with("HTTP/1.1 200"));
        drop(stream);
    }
    // The server still answers, the export too, whole.
    let r = server.call(&session, "GET", "/api/users/export", None);
    assert_eq!(r.status, 200);
    assert_eq!(r.text().lines().count(), 3001);
    let d = server.call(&session, "GET", "/api/dashboard", None);
    assert_eq!(d.status, 200, "{}", d.text());
}
