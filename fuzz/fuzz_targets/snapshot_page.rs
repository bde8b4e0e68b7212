//! Fuzzes the snapshot readers: the index built from JSON (the plain
//! reader, with serde behind it) must be the index built from serde's
//! typed parse of the same bytes, and both must accept or refuse alike.
//!
//! Random bytes rarely look like a page, so most inputs are edits to a
//! valid page or file: the first byte picks the shape and whether the rest
//! is the whole input or a list of `(position, operation, byte)` edits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use seatwarden_core::index::{DirectoryIndex, IndexBuilder};
use seatwarden_core::snapshot::{SnapshotError, parse_file, parse_page};
use seatwarden_core::User;

const HEADER: &str = r#"{"takenAt":1795200000000,"directories":[{"id":1,"name":"Internal","kind":"internal","capabilities":{}},{"id":2,"name":"LDAP","kind":"ldap","capabilities":{}}],"groups":[{"name":"users","licence":true},{"name":"Admins","admin":true}],"licences":[],"sysadmins":[]}"#;

const PAGE: &str = r#"{"users":[{"key":"K1","username":"ann","displayName":"Ann Lee","email":"ann@example.test","directoryId":1,"active":true,"created":1600000000000,"lastLogin":1790000000000,"loginCount":7,"groups":["users","admins"]},{"key":"K2","username":"Bo","displayName":"","email":"","directoryId":2,"active":false,"created":1600000000000,"lastLogin":null,"deactivatedAt":1700000000000,"groups":[]}]}"#;

fn file(page: &str) -> String {
    format!(
        r#"{{"format":"seatwarden-snapshot","version":1,"header":{HEADER},"pages":[{page},{{"users":[]}}]}}"#
    )
}

/// `base` with the edits `data` describes, three bytes each.
fn edited(base: &str, data: &[u8]) -> Vec<u8> {
    let mut bytes = base.as_bytes().to_vec();
    for edit in data.chunks_exact(3) {
        let (at, op, b) = (usize::from(edit[0]) * 2, edit[1] % 3, edit[2]);
        let at = at.min(bytes.len());
        match op {
            0 => bytes.insert(at, b),
            1 if at < bytes.len() => {
                bytes.remove(at);
            }
            _ if at < bytes.len() => bytes[at] = b,
            _ => bytes.push(b),
        }
    }
    bytes
}

fn users(index: &DirectoryIndex) -> Vec<User> {
    index.users().map(|u| u.to_user()).collect()
}

/// Accept and refuse alike, and on accepting build the same users. (Not
/// necessarily for the same reason: the JSON path validates each user as
/// it streams past, so a bad user is reported before a syntax error after
/// it, which the typed parse meets first.)
fn same(json: Result<DirectoryIndex, SnapshotError>, typed: Result<DirectoryIndex, SnapshotError>) {
    match (json, typed) {
        (Ok(a), Ok(b)) => assert_eq!(users(&a), users(&b)),
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "the JSON path {} where serde's typed parse {}",
            if a.is_ok() { "accepted" } else { "refused" },
            if b.is_ok() { "accepted" } else { "refused" }
        ),
    }
}

/// Whether the input is a JSON object, as the format says pages and files
/// are. (serde's derived structs also read an array of the fields in
/// order; the typed parse takes `[[]]` as an empty page, the index reader
/// rightly does not, and that difference is not what is fuzzed here.)
fn object(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn check_page(bytes: &[u8]) {
    let builder = || IndexBuilder::from_header_json(HEADER.as_bytes()).expect("valid header");
    let mut json = builder();
    let json = json.add_page_json(bytes).and_then(|()| json.finish());
    let mut typed = builder();
    let typed = parse_page(bytes)
        .and_then(|page| typed.add_page(&page))
        .and_then(|()| typed.finish());
    if object(bytes) {
        same(json, typed);
    } else {
        assert!(json.is_err(), "the JSON path read a page that is no object");
    }
}

fn check_file(bytes: &[u8]) {
    let json = DirectoryIndex::from_snapshot_json(bytes);
    let typed = parse_file(bytes).and_then(|f| {
        let mut b = IndexBuilder::new(f.header)?;
        for page in &f.pages {
            b.add_page(page)?;
        }
        b.finish()
    });
    if object(bytes) {
        same(json, typed);
    } else {
        assert!(json.is_err(), "the JSON path read a file that is no object");
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => check_page(rest),
        1 => check_page(&edited(PAGE, rest)),
        2 => check_file(rest),
        _ => check_file(&edited(&file(PAGE), rest)),
    }
});
