//! Two halves read as one thread reads: the same builder (every column,
//! set ids, the `groups` texts remembered), the same error, and nothing
//! kept of a failed page.

use proptest::prelude::*;

use super::read_page;
use crate::index::IndexBuilder;
use crate::snapshot::SnapshotError;
use crate::snapshot::stream::stream_page_with;

const T: i64 = 1_763_690_400_000;
const DAY: i64 = 86_400_000;
const GROUPS: [&str; 5] = ["alpha", "beta", "gamma", "delta", "Epsilon Team"];

fn builder() -> IndexBuilder {
    let groups: Vec<String> = GROUPS
        .iter()
        .map(|g| format!("{{\"name\":\"{g}\"}}"))
        .collect();
    let header = format!(
        "{{\"takenAt\":{T},\"directories\":[{{\"id\":1,\"name\":\"Internal\",\"kind\":\"internal\",\"capabilities\":{{}}}},{{\"id\":7,\"name\":\"LDAP\",\"kind\":\"ldap\",\"capabilities\":{{}}}}],\"groups\":[{}],\"signals\":[{{\"kind\":\"seen\"}},{{\"kind\":\"lastAuthenticated\"}}]}}",
        groups.join(",")
    );
    IndexBuilder::from_header_json(header.as_bytes()).unwrap()
}

/// What can be wrong with a user (or merely unusual for the plain reader).
const FLAWS: u8 = 9;

/// One user as a host writes it; `shape` picks its optional fields and
/// groups, `flaw` (below [`FLAWS`]) what is wrong with it.
fn user(i: usize, shape: u32, flaw: Option<u8>) -> String {
    let mut groups: Vec<String> = (0..5)
        .filter(|b| shape >> b & 1 == 1)
        .map(|b| format!("\"{}\"", GROUPS[b]))
        .collect();
    if shape >> 5 & 1 == 1 {
        groups.reverse();
    }
    let mut directory = if shape >> 6 & 1 == 1 { 7 } else { 1 };
    let mut key = format!("K{i:05}");
    let mut display = format!("User {i}");
    let mut created = T - (i as i64 % 900 + 1) * DAY;
    let mut login_count = format!("{}", shape % 7);
    let mut broken = false;
    match flaw {
        Some(0) => directory = 3,
        Some(1) => groups.push("\"nobody\"".to_owned()),
        Some(2) => created = 5,
        Some(3) => key.clear(),
        // Plain reader: unusual; serde takes it.
        Some(4) => display = "Quote \\\" inside".to_owned(),
        // A group in another case: a valid new text for an existing set.
        Some(5) => groups.push("\"ALPHA\"".to_owned()),
        Some(6) => broken = true,
        Some(7) => login_count = "4294967295".to_owned(),
        Some(_) => created = T + 400 * DAY,
        None => {}
    }
    let active = shape >> 7 & 1 == 0;
    let last = if shape >> 8 & 1 == 1 {
        "null".to_owned()
    } else {
        (T - (shape as i64 % 50) * DAY).to_string()
    };
    let mut out = format!(
        "{{\"key\":\"{key}\",\"username\":\"user{i}\",\"displayName\":\"{display}\",\"email\":\"u{i}@example.test\",\"directoryId\":{directory},\"active\":{active},\"created\":{created},\"lastLogin\":{last},\"loginCount\":{login_count}"
    );
    if !active && shape >> 9 & 1 == 1 {
        out.push_str(&format!(",\"deactivatedAt\":{}", T - DAY));
    }
    if !active && shape >> 10 & 1 == 1 {
        out.push_str(",\"suspended\":true");
    }
    if shape >> 11 & 1 == 1 || matches!(flaw, Some(1 | 5)) {
        out.push_str(&format!(",\"groups\":[{}]", groups.join(",")));
    }
    if shape >> 12 & 1 == 1 {
        out.push_str(&format!(",\"activity\":[{},null]", T - 2 * DAY));
    }
    out.push('}');
    if broken {
        out = out.replacen("\"active\":", "\"active\"", 1);
    }
    out
}

fn page(users: &[String]) -> String {
    format!("{{\"users\":[{}]}}", users.join(","))
}

/// The builder as text: every column, the set table and the remembered
/// texts (hash maps in insertion order, as both reads insert alike).
fn state(b: &IndexBuilder) -> String {
    format!("{b:?}")
}

/// Adds `pages` to two builders, one read on one thread, one in halves
/// wherever a page can be cut; asserts each answer and state agree.
fn agree(pages: &[String]) -> Result<(), TestCaseError> {
    let (mut one, mut two) = (builder(), builder());
    for p in pages {
        let serial = stream_page_with(&mut one, p.as_bytes(), usize::MAX);
        let halves = stream_page_with(&mut two, p.as_bytes(), 0);
        prop_assert_eq!(&serial, &halves, "{}", p);
        prop_assert_eq!(state(&one), state(&two), "{}", p);
    }
    let (one, two) = (one.finish(), two.finish());
    prop_assert_eq!(format!("{one:?}"), format!("{two:?}"));
    Ok(())
}

/// The index of the user a page is cut before.
fn split_user(text: &str) -> Option<usize> {
    let stop = crate::snapshot::fast::split_point(text)?;
    Some(text.get(..stop)?.matches("},{\"key\":").count())
}

#[test]
fn a_clean_page_is_read_in_halves() {
    let users: Vec<String> = (0..40)
        .map(|i| user(i, (i as u32).wrapping_mul(2654435761), None))
        .collect();
    let text = page(&users);
    let mut b = builder();
    assert!(read_page(&mut b, &text, 0));
    assert_eq!(b.user_count(), 40);
    // Small pages stay on one thread.
    let mut b = builder();
    assert!(!read_page(&mut b, &text, super::MIN_SPLIT_BYTES));
    assert_eq!(b.page_count(), 0);
}

#[test]
fn every_flaw_at_every_user_gives_the_serial_answer() {
    let n = 12;
    for flaw in 0..FLAWS {
        for bad in 0..n {
            let users: Vec<String> = (0..n)
                .map(|i| {
                    user(
                        i,
                        (i as u32).wrapping_mul(2654435761),
                        (i == bad).then_some(flaw),
                    )
                })
                .collect();
            let good: Vec<String> = (n..2 * n).map(|i| user(i, i as u32 * 7919, None)).collect();
            agree(&[page(&good), page(&users), page(&good)]).unwrap();
        }
    }
}

#[test]
fn a_flaw_at_the_cut_gives_the_serial_answer() {
    let n = 20;
    let clean: Vec<String> = (0..n).map(|i| user(i, i as u32 * 40503, None)).collect();
    let at = split_user(&page(&clean)).unwrap();
    assert!(at > 0 && at < n);
    for flaw in 0..FLAWS {
        for bad in [at - 1, at] {
            let mut users = clean.clone();
            users[bad] = user(bad, bad as u32 * 40503, Some(flaw));
            let text = page(&users);
            agree(&[text]).unwrap();
        }
    }
}

#[test]
fn a_failed_page_keeps_nothing() {
    let users: Vec<String> = (0..30)
        .map(|i| user(i, i as u32 * 97, (i == 25).then_some(0)))
        .collect();
    let mut b = builder();
    let e = stream_page_with(&mut b, page(&users).as_bytes(), 0);
    assert!(
        matches!(e, Err(SnapshotError::UnknownDirectory { .. })),
        "{e:?}"
    );
    assert_eq!(b.page_count(), 0);
    assert_eq!(b.user_count(), 0);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random pages, a flawed user anywhere: the halves answer as one thread does.
    #[test]
    fn halves_agree_with_one_thread(
        pages in prop::collection::vec(
            (prop::collection::vec(any::<u32>(), 1..40), any::<prop::sample::Index>(), prop::option::of(0..FLAWS)),
            1..4,
        ),
    ) {
        let mut texts = Vec::new();
        let mut next = 0;
        for (shapes, bad, flaw) in pages {
            let bad = bad.index(shapes.len());
            let users: Vec<String> = shapes
                .iter()
                .enumerate()
                .map(|(i, &s)| user(next + i, s, if i == bad { flaw } else { None }))
                .collect();
            next += shapes.len();
            texts.push(page(&users));
        }
        agree(&texts)?;
    }

    /// Pages damaged at random bytes: the same answer and state either way.
    #[test]
    fn damaged_pages_agree(
        shapes in prop::collection::vec(any::<u32>(), 2..20),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(b"{}[],:\"\\ 0x".to_vec())), 1..3),
    ) {
        let users: Vec<String> = shapes.iter().enumerate().map(|(i, &s)| user(i, s, None)).collect();
        let mut bytes = page(&users).into_bytes();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        if let Ok(text) = String::from_utf8(bytes) {
            agree(&[text])?;
        }
    }
}
