//! Text rules every edge shares: which characters a name may not hold.
//!
//! Why in the core: user, display and group names (CSV imports, the API)
//! and policy names (the configuration) are shown in the UI, the audit log,
//! exports and mail; one definition keeps them refused alike.

/// Control characters (Unicode category Cc: U+0000–U+001F, U+007F–U+009F).
/// One branch-free pass over the bytes; U+0080–U+009F are `C2 80`–`C2 9F`
/// in UTF-8, checked only when a `C2` byte is present.
pub fn has_control(s: &str) -> bool {
    let b = s.as_bytes();
    let (ascii_ctl, c2) = b.iter().fold((false, false), |(ctl, c2), &x| {
        (ctl | (x < 0x20) | (x == 0x7F), c2 | (x == 0xC2))
    });
    ascii_ctl
        || (c2
            && b.windows(2).any(|w| {
                w.first() == Some(&0xC2) && w.get(1).is_some_and(|&n| (0x80..=0x9F).contains(&n))
            }))
}

/// Bidirectional embedding, override and isolate controls (U+202A–U+202E,
/// U+2066–U+2069). They are invisible yet reorder what follows, so a name
/// holding one displays as a different name (`admin\u{202E}nimda` shows as
/// `adminadmin`) in the UI, the audit log, exports and mail: a spoofing
/// tool, never part of a real account or group name. Each is `E2 80 AA`–
/// `E2 80 AE` or `E2 81 A6`–`E2 81 A9` in UTF-8, so text without an `E2`
/// byte (all ASCII and most names) skips the character walk.
pub fn has_bidi_control(s: &str) -> bool {
    s.as_bytes().contains(&0xE2)
        && s.chars()
            .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

/// Why a name with a bidirectional control is refused (names the range,
/// never the name).
pub const BIDI_REASON: &str =
    "contains a bidirectional control character (U+202A–U+202E or U+2066–U+2069)";

/// Why `name` may not be written (control or bidirectional control
/// characters), or `None`. For names an admin saves (policy names): the
/// configuration reader accepts them, since a document stored before this
/// rule must still load, so the edges that *write* a name call this.
pub fn name_problem(name: &str) -> Option<&'static str> {
    if has_control(name) {
        Some("contains control characters")
    } else if has_bidi_control(name) {
        Some(BIDI_REASON)
    } else {
        None
    }
}
