//! The plain reader against serde: whenever it answers `Ok`, serde reads
//! the same page to the same users; and it does answer `Ok` for the shapes
//! hosts write.

use proptest::prelude::*;
use serde::Deserialize;

use super::{Sink, Unusual, read_file, read_page, string_end};
use crate::index::build::UserFields;
use crate::snapshot::stream::WireUser;
use crate::snapshot::{SnapshotFile, SnapshotHeader, SnapshotUser};

/// One user as read, owned, for comparison.
type Read = SnapshotUser;

/// What a reader handed the builder, owned.
fn record<'g>(u: &UserFields<'_>, groups: impl Iterator<Item = &'g str>) -> Read {
    Read {
        key: u.key.to_owned(),
        username: u.username.to_owned(),
        display_name: u.display_name.to_owned(),
        email: u.email.to_owned(),
        directory_id: u.directory_id,
        active: u.active,
        created: u.created,
        last_login: u.last_login,
        login_count: u.login_count,
        deactivated_at: u.deactivated_at,
        suspended: u.suspended,
        groups: groups.map(str::to_owned).collect(),
        activity: u.activity,
    }
}

/// Records what the plain reader hands on.
#[derive(Default)]
struct Recorder {
    header: Option<SnapshotHeader>,
    pages: Vec<Vec<Read>>,
    /// Fail on this user (counted over the whole input).
    fail_at: Option<usize>,
    seen: usize,
}

impl<'a> Sink<'a> for Recorder {
    fn header(&mut self, header: SnapshotHeader) -> Result<(), Unusual> {
        self.header = Some(header);
        Ok(())
    }

    fn begin_page(&mut self) -> Result<(), Unusual> {
        self.pages.push(Vec::new());
        Ok(())
    }

    fn user(
        &mut self,
        u: &UserFields<'a>,
        groups: &[&'a str],
        groups_json: &'a str,
    ) -> Result<(), Unusual> {
        if self.fail_at == Some(self.seen) {
            return Err(Unusual);
        }
        // The text is the array itself, and reads as its names.
        if groups_json.is_empty() {
            assert!(groups.is_empty());
        } else {
            let names: Vec<String> = serde_json::from_str(groups_json).unwrap();
            assert_eq!(names, groups);
        }
        self.seen += 1;
        self.pages
            .last_mut()
            .ok_or(Unusual)?
            .push(record(u, groups.iter().copied()));
        Ok(())
    }
}

fn fast(text: &str) -> Result<Vec<Read>, Unusual> {
    let mut r = Recorder::default();
    read_page(text, &mut r)?;
    assert_eq!(r.pages.len(), 1, "one page begun");
    Ok(r.pages.remove(0))
}

/// The page as the serde path reads it (same user type, same rules).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePage<'a> {
    #[serde(borrow)]
    users: Vec<WireUser<'a>>,
}

fn serde(text: &str) -> Result<Vec<Read>, serde_json::Error> {
    let page: WirePage<'_> = serde_json::from_str(text)?;
    Ok(page
        .users
        .iter()
        .map(|u| record(&u.fields(), u.group_names()))
        .collect())
}

/// The one-sided contract: `Ok` from the plain reader means serde agrees.
fn agrees(text: &str) -> Result<(), String> {
    match fast(text) {
        Err(Unusual) => Ok(()),
        Ok(users) => match serde(text) {
            Ok(expected) if expected == users => Ok(()),
            Ok(expected) => Err(format!("read {users:?}, serde read {expected:?}")),
            Err(e) => Err(format!("read {users:?}, serde refused: {e}")),
        },
    }
}

/// The same contract for a file holding `page` twice.
fn file_agrees(page: &str) -> Result<(), String> {
    let text = file(&[page, page]);
    match fast_file(&text) {
        Err(Unusual) => Ok(()),
        Ok((header, pages)) => match serde_json::from_str::<SnapshotFile>(&text) {
            Ok(f) => {
                let expected: Vec<Vec<Read>> = f.pages.into_iter().map(|p| p.users).collect();
                if f.header == header && expected == pages {
                    Ok(())
                } else {
                    Err(format!("read {pages:?}, serde read {expected:?}"))
                }
            }
            Err(e) => Err(format!("read {pages:?}, serde refused: {e}")),
        },
    }
}

const PLAIN: &str = r#"{"users":[{"key":"JIRAUSER10000","username":"clara.eriksson","displayName":"Clara Eriksson","email":"clara@example.com","directoryId":1,"active":true,"created":1661848409552,"lastLogin":1795163665654,"loginCount":490,"deactivatedAt":null,"groups":["confluence-users","jira-software-users"]},{"key":"K2","username":"bo","displayName":"","email":"","directoryId":20,"active":false,"created":1600000000000,"groups":[]}]}"#;

#[test]
fn a_plain_page_is_read_as_serde_reads_it() {
    let users = fast(PLAIN).unwrap();
    assert_eq!(users, serde(PLAIN).unwrap());
    assert_eq!(users.len(), 2);
    assert_eq!(users[0].groups, ["confluence-users", "jira-software-users"]);
    assert_eq!(users[1].last_login, None);
    assert!(!users[1].active);
}

#[test]
fn whitespace_field_order_and_defaults_are_plain() {
    let text = "\n{ \"users\" : [\r\n\t{ \"groups\" : [ \"a\" , \"b\" ] , \"created\" : 1600000000000,\n \"active\":true, \"directoryId\":1, \"username\":\"é名\", \"key\":\"k\", \"lastLogin\": null }\n ] } \n";
    let users = fast(text).unwrap();
    assert_eq!(users, serde(text).unwrap());
    assert_eq!(users[0].username, "é名");
    assert_eq!(users[0].display_name, "");
    assert_eq!(fast(r#"{"users":[]}"#).unwrap(), vec![]);
}

#[test]
fn forms_serde_reads_but_the_plain_reader_leaves_to_it() {
    for text in [
        // An escape in a value, in a key, in a group.
        r#"{"users":[{"key":"a\"b","username":"u","directoryId":1,"active":true,"created":1}]}"#,
        r#"{"users":[{"k\u0065y":"a","username":"u","directoryId":1,"active":true,"created":1}]}"#,
        r#"{"users":[{"key":"a","username":"u","directoryId":1,"active":true,"created":1,"groups":["\u00e9"]}]}"#,
        // A negative number, a 19-digit one.
        r#"{"users":[{"key":"a","username":"u","directoryId":-1,"active":true,"created":1}]}"#,
        r#"{"users":[{"key":"a","username":"u","directoryId":1,"active":true,"created":1000000000000000000}]}"#,
    ] {
        assert_eq!(fast(text), Err(Unusual), "{text}");
        assert!(serde(text).is_ok(), "{text}");
    }
}

#[test]
fn everything_serde_refuses_is_unusual() {
    let user = |rest: &str| {
        format!(r#"{{"users":[{{"key":"a","username":"u","directoryId":1,"active":true{rest}}}]}}"#)
    };
    let cases = [
        user(r#","created":1,"created":2"#),             // repeated field
        user(r#","created":1,"colour":"red""#),          // unknown field
        user(""),                                        // missing `created`
        user(r#","created":01"#),                        // leading zero
        user(r#","created":1.0"#),                       // a float
        user(r#","created":1e3"#),                       // an exponent
        user(r#","created":"1""#),                       // a string
        user(r#","created":null"#),                      // null where required
        user(r#","created":1,"displayName":null"#),      // null string
        user(r#","created":1,"groups":null"#),           // null list
        user(r#","created":1,"groups":["a",]"#),         // trailing comma
        user(r#","created":1,"groups":[1]"#),            // not a string
        user(r#","created":1,"loginCount":4294967296"#), // above u32
        user(r#","created":1,"active":true"#),           // repeated bool
        user(r#","created":1x"#),                        // junk after a number
        user(r#","created":1,"#),                        // trailing comma
        r#"{"users":[{"key":"a","username":"u","directoryId":1,"active":tru,"created":1}]}"#
            .to_owned(),
        r#"{"users":[{"key":"a	b","username":"u","directoryId":1,"active":true,"created":1}]}"#
            .to_owned(), // a raw tab inside a string
        r#"{"users":[{}]}"#.to_owned(),
        r#"{"users":[],"users":[]}"#.to_owned(),
        r#"{"users":[]} x"#.to_owned(),
        r#"{"users":[],}"#.to_owned(),
        r#"{"users":[}"#.to_owned(),
        r#"{"users":["#.to_owned(),
        r#"{"users":[{"key":"a""#.to_owned(),
        r#"{"people":[]}"#.to_owned(),
        r#"[]"#.to_owned(),
        String::new(),
    ];
    for text in &cases {
        assert_eq!(fast(text), Err(Unusual), "{text}");
        assert!(serde(text).is_err(), "serde read {text}");
    }
}

#[test]
fn a_refusing_sink_stops_the_read() {
    let mut r = Recorder {
        fail_at: Some(1),
        ..Recorder::default()
    };
    assert_eq!(read_page(PLAIN, &mut r), Err(Unusual));
    assert_eq!(r.seen, 1);
}

/// A file as we write it, with `pages` (JSON page texts).
fn file(pages: &[&str]) -> String {
    format!(
        r#"{{"format":"seatwarden-snapshot","version":1,"header":{},"pages":[{}]}}"#,
        HEADER,
        pages.join(",")
    )
}

const HEADER: &str = r#"{"takenAt":1795200000000,"directories":[{"id":1,"name":"Internal","kind":"internal","capabilities":{}},{"id":20,"name":"LDAP","kind":"ldap","capabilities":{}}],"groups":[{"name":"confluence-users","licence":true},{"name":"jira-software-users"}],"licences":[],"sysadmins":[]}"#;

fn fast_file(text: &str) -> Result<(SnapshotHeader, Vec<Vec<Read>>), Unusual> {
    let mut r = Recorder::default();
    read_file(text, &mut r)?;
    Ok((r.header.ok_or(Unusual)?, r.pages))
}

#[test]
fn a_file_as_we_write_it_is_read_as_serde_reads_it() {
    let empty = r#"{"users":[]}"#;
    let text = file(&[PLAIN, empty, PLAIN]);
    let (header, pages) = fast_file(&text).unwrap();
    let expected: SnapshotFile = serde_json::from_str(&text).unwrap();
    assert_eq!(header, expected.header);
    // Pretty-printed, as `SnapshotFile` writes itself (its members in our order).
    let pretty = serde_json::to_string_pretty(&expected).unwrap();
    let expected: Vec<Vec<Read>> = expected.pages.into_iter().map(|p| p.users).collect();
    assert_eq!(pages, expected);
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 0, 2]);
    let (pretty_header, pretty_pages) = fast_file(&pretty).unwrap();
    assert_eq!((&pretty_header, &pretty_pages), (&header, &pages));
    assert_eq!(fast_file(&file(&[])).unwrap().1, Vec::<Vec<Read>>::new());
}

#[test]
fn files_in_another_shape_are_left_to_serde() {
    let members = |order: &str| format!(r#"{{{order},"pages":[{PLAIN}]}}"#);
    for text in [
        // Members in another order (serde reads it).
        members(&format!(
            r#""version":1,"format":"seatwarden-snapshot","header":{HEADER}"#
        )),
        members(&format!(
            r#""header":{HEADER},"format":"seatwarden-snapshot","version":1"#
        )),
        // Wrong format or version, a bad header, a missing or extra member.
        members(&format!(
            r#""format":"other","version":1,"header":{HEADER}"#
        )),
        members(&format!(
            r#""format":"seatwarden-snapshot","version":2,"header":{HEADER}"#
        )),
        members(r#""format":"seatwarden-snapshot","version":1,"header":{"takenAt":1}"#),
        members(r#""format":"seatwarden-snapshot","version":1"#),
        format!("{},\"x\":1}}", file(&[]).trim_end_matches('}')),
        format!("{} x", file(&[])),
        file(&[PLAIN]).replace("\"pages\":[", "\"pages\":[,"),
    ] {
        assert_eq!(fast_file(&text).map(|_| ()), Err(Unusual), "{text}");
    }
}

/// How one user is written: which optional fields appear, how, and in what
/// order, with what whitespace.
#[derive(Debug, Clone)]
struct Written {
    user: Read,
    order: Vec<usize>,
    /// Per optional field: absent, `null` (the nullable ones), or present.
    omit: [bool; 6],
    nulls: [bool; 3],
    space: &'static str,
    /// One field written wrongly or oddly: `(field, how)`, see [`quirk`].
    quirk: Option<(usize, u8)>,
}

fn text_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z.@-]{0,12}",
        "[ -~]{0,8}",       // printable ASCII, quotes and backslashes included
        "[\\PC]{0,6}",      // any non-control characters
        "[\\x00-\\x1f]{1}"  // a control character
    ]
}

fn arb_user() -> impl Strategy<Value = Read> {
    (
        (text_value(), text_value(), text_value(), text_value()),
        prop_oneof![Just(1i64), 0i64..=i64::MAX, i64::MIN..0],
        any::<bool>(),
        prop_oneof![0i64..2_000_000_000_000, any::<i64>()],
        prop::option::of(prop_oneof![0i64..2_000_000_000_000, any::<i64>()]),
        prop::option::of(any::<u32>()),
        prop::option::of(0i64..2_000_000_000_000),
        (
            prop::collection::vec(text_value(), 0..4),
            prop::collection::vec(prop::option::of(0i64..2_000_000_000_000), 0..4),
        ),
    )
        .prop_map(
            |(
                (key, username, display_name, email),
                directory_id,
                active,
                created,
                last_login,
                login_count,
                deactivated_at,
                (groups, values),
            )| Read {
                key,
                username,
                display_name,
                email,
                directory_id,
                active,
                created,
                last_login,
                login_count,
                deactivated_at,
                // Only inactive users are suspended (Cloud's mapping).
                suspended: !active && created % 2 == 0,
                groups,
                activity: {
                    let mut a = crate::activity::ActivityValues::EMPTY;
                    for v in values {
                        a.push(v);
                    }
                    a
                },
            },
        )
}

fn arb_written() -> impl Strategy<Value = Written> {
    (
        arb_user(),
        Just((0..13).collect::<Vec<usize>>()).prop_shuffle(),
        any::<[bool; 6]>(),
        any::<[bool; 3]>(),
        prop_oneof![Just(""), Just(" "), Just("\n\t "), Just("\r\n")],
        prop::option::weighted(0.5, (0usize..11, 0u8..QUIRKS)),
    )
        .prop_map(|(user, order, omit, nulls, space, quirk)| Written {
            user,
            order,
            omit,
            nulls,
            space,
            quirk,
        })
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

fn write(w: &Written) -> String {
    let u = &w.user;
    let sp = w.space;
    let optional_number = |v: Option<i64>, null: bool| match v {
        Some(v) => Some(v.to_string()),
        None if null => Some("null".to_owned()),
        None => None,
    };
    let groups = format!(
        "[{sp}{}{sp}]",
        u.groups
            .iter()
            .map(|g| json_str(g))
            .collect::<Vec<_>>()
            .join(&format!("{sp},{sp}"))
    );
    // (name, value); `None` leaves the field out.
    let activity = format!(
        "[{sp}{}{sp}]",
        u.activity
            .as_slice()
            .iter()
            .map(|v| v.map_or("null".to_owned(), |v| v.to_string()))
            .collect::<Vec<_>>()
            .join(&format!("{sp},{sp}"))
    );
    let fields: [(&str, Option<String>); 13] = [
        ("key", Some(json_str(&u.key))),
        ("username", Some(json_str(&u.username))),
        (
            "displayName",
            (!(w.omit[0] && u.display_name.is_empty())).then(|| json_str(&u.display_name)),
        ),
        (
            "email",
            (!(w.omit[1] && u.email.is_empty())).then(|| json_str(&u.email)),
        ),
        ("directoryId", Some(u.directory_id.to_string())),
        ("active", Some(u.active.to_string())),
        ("created", Some(u.created.to_string())),
        ("lastLogin", optional_number(u.last_login, w.nulls[0])),
        (
            "loginCount",
            optional_number(u.login_count.map(i64::from), w.nulls[1]),
        ),
        (
            "deactivatedAt",
            optional_number(u.deactivated_at, w.nulls[2]),
        ),
        (
            "groups",
            (!(w.omit[5] && u.groups.is_empty())).then_some(groups),
        ),
        ("activity", (!u.activity.is_empty()).then_some(activity)),
        ("suspended", u.suspended.then(|| "true".to_owned())),
    ];
    let mut body: Vec<String> = w
        .order
        .iter()
        .filter_map(|&i| {
            let (name, value) = &fields[i];
            value
                .as_ref()
                .map(|v| format!("{sp}\"{name}\"{sp}:{sp}{v}"))
        })
        .collect();
    if let Some((field, how)) = w.quirk {
        let (name, value) = &fields[field];
        let value = value.clone().unwrap_or_else(|| "null".to_owned());
        quirk(&mut body, name, &value, how);
    }
    format!("{{{}{sp}}}", body.join(","))
}

/// How many kinds of [`quirk`] there are.
const QUIRKS: u8 = 14;

/// Writes field `name` (whose proper value is `value`) wrongly or oddly in
/// `body`: repeated, left out, renamed, or with a value serde may refuse
/// or read differently.
fn quirk(body: &mut Vec<String>, name: &str, value: &str, how: u8) {
    let quoted = format!("\"{name}\"");
    let at = body
        .iter()
        .position(|f| f.trim_start().starts_with(&quoted));
    let with = |v: &str| format!("{quoted}:{v}");
    let field = match how {
        0 => with(value), // repeated
        1 => {
            if let Some(i) = at {
                body.remove(i);
            }
            return;
        }
        2 => with("null"),
        3 => with(&format!("0{value}")),
        4 => with(&format!("{value}.0")),
        5 => with(&format!("{value}e0")),
        6 => with("-0"),
        7 => with(&json_str(value)),
        8 => with("1"),
        9 => format!("\"{}\":{value}", name.to_uppercase()),
        10 => with("99999999999999999999"),
        11 => with("4294967296"),
        12 => with(&format!("-{value}")),
        _ => with(&format!("{value},")),
    };
    match at {
        Some(i) if how != 0 => body[i] = field,
        _ => body.push(field),
    }
}

fn page(users: &[Written]) -> String {
    let sp = users.first().map_or("", |w| w.space);
    format!(
        "{{{sp}\"users\"{sp}:{sp}[{}]{sp}}}",
        users.iter().map(write).collect::<Vec<_>>().join(",")
    )
}

/// Whether the plain reader should take this user (no escapes, no
/// negative numbers, no control characters).
fn plain(u: &Read) -> bool {
    let plain_text = |s: &str| !s.contains(['"', '\\']) && !s.chars().any(|c| c < ' ');
    [&u.key, &u.username, &u.display_name, &u.email]
        .into_iter()
        .chain(&u.groups)
        .all(|s| plain_text(s))
        && u.directory_id >= 0
        && u.created >= 0
        && u.last_login.is_none_or(|v| v >= 0)
        && u.deactivated_at.is_none_or(|v| v >= 0)
        && [
            Some(u.directory_id),
            Some(u.created),
            u.last_login,
            u.deactivated_at,
        ]
        .into_iter()
        .flatten()
        .all(|v| v < 1_000_000_000_000_000_000)
}

/// Bytes JSON gives meaning to, for mutations.
const SIGNIFICANT: &[u8] = b"{}[]:,\"\\ 0123456789-.eEtrufalsn\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// The word-at-a-time scan finds what a byte-by-byte one does.
    #[test]
    fn string_end_is_the_first_stop_byte(
        bytes in prop::collection::vec(prop_oneof![
            4 => 0x20u8..=0xff,
            1 => prop::sample::select(vec![b'"', b'\\', 0x00, 0x1f, 0x7f, 0x80, 0xa2, 0xdc]),
        ], 0..40),
    ) {
        let naive = bytes.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        prop_assert_eq!(string_end(&bytes), naive);
    }

    /// Written pages: read as serde reads them, and read at all when plain;
    /// with a quirk, never read where serde would not, or otherwise.
    #[test]
    fn written_pages_agree_with_serde(users in prop::collection::vec(arb_written(), 0..4)) {
        let text = page(&users);
        if let Err(e) = agrees(&text).and_then(|()| file_agrees(&text)) {
            return Err(TestCaseError::fail(format!("{e} for {text}")));
        }
        if users.iter().all(|w| w.quirk.is_none()) {
            let expected = serde(&text);
            prop_assert!(expected.is_ok(), "serde refused {text}: {expected:?}");
            if users.iter().all(|w| plain(&w.user)) {
                prop_assert_eq!(fast(&text), Ok(expected.unwrap()), "{}", text);
            }
        }
    }

    /// Pages damaged at random: never read where serde would not, or to
    /// other users than serde's.
    #[test]
    fn damaged_pages_never_disagree(
        users in prop::collection::vec(arb_written(), 1..3),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, prop::sample::select(SIGNIFICANT)), 1..4),
    ) {
        let mut bytes = page(&users).into_bytes();
        for (at, kind, b) in edits {
            let i = at.index(bytes.len() + 1);
            match kind {
                0 => bytes.insert(i, b),
                1 if i < bytes.len() => { bytes.remove(i); }
                _ if i < bytes.len() => bytes[i] = b,
                _ => bytes.push(b),
            }
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            if let Err(e) = agrees(text).and_then(|()| file_agrees(text)) {
                return Err(TestCaseError::fail(format!("{e} for {text}")));
            }
        }
    }
}
