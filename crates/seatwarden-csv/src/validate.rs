//! Field rules shared by every importer: usernames, emails, display names,
//! group names, yes/no values.
//!
//! The rules are deliberately conservative where a bad value would hurt
//! later (control characters that break audit exports and mail headers,
//! leading or trailing spaces that make two accounts look identical) and
//! permissive elsewhere: both products accept almost any printable text.

use crate::error::ProblemKind;

/// The longest name either product stores.
pub const MAX_NAME_CHARS: usize = 255;

use seatwarden_core::text::{BIDI_REASON as BIDI, has_bidi_control, has_control};

fn too_long(s: &str) -> bool {
    s.len() > MAX_NAME_CHARS && s.chars().count() > MAX_NAME_CHARS
}

fn padded(s: &str) -> bool {
    s.starts_with(char::is_whitespace) || s.ends_with(char::is_whitespace)
}

/// Checks a username.
pub fn username(s: &str) -> Result<(), ProblemKind> {
    if s.is_empty() {
        Err(ProblemKind::Required)
    } else if has_control(s) {
        Err(ProblemKind::InvalidUsername("contains control characters"))
    } else if has_bidi_control(s) {
        Err(ProblemKind::InvalidUsername(BIDI))
    } else if padded(s) {
        Err(ProblemKind::InvalidUsername("starts or ends with a space"))
    } else if too_long(s) {
        Err(ProblemKind::InvalidUsername("longer than 255 characters"))
    } else {
        Ok(())
    }
}

/// Checks a display name.
pub fn display_name(s: &str) -> Result<(), ProblemKind> {
    if s.is_empty() {
        Err(ProblemKind::Required)
    } else if has_control(s) {
        Err(ProblemKind::InvalidDisplayName(
            "contains control characters",
        ))
    } else if has_bidi_control(s) {
        Err(ProblemKind::InvalidDisplayName(BIDI))
    } else if too_long(s) {
        Err(ProblemKind::InvalidDisplayName(
            "longer than 255 characters",
        ))
    } else {
        Ok(())
    }
}

/// Checks a group name.
pub fn group_name(s: &str) -> Result<(), ProblemKind> {
    if s.is_empty() {
        Err(ProblemKind::Required)
    } else if has_control(s) {
        Err(ProblemKind::InvalidGroupName("contains control characters"))
    } else if has_bidi_control(s) {
        Err(ProblemKind::InvalidGroupName(BIDI))
    } else if padded(s) {
        Err(ProblemKind::InvalidGroupName("starts or ends with a space"))
    } else if s.contains(';') {
        Err(ProblemKind::InvalidGroupName(
            "contains `;`, the list separator",
        ))
    } else if too_long(s) {
        Err(ProblemKind::InvalidGroupName("longer than 255 characters"))
    } else {
        Ok(())
    }
}

/// Checks an email address: one `@`, a local part of 1–64 bytes, a domain
/// of dot-separated labels (letters, digits, hyphens; not starting or
/// ending with a hyphen) with at least one dot, no spaces or controls.
/// Internationalised (non-ASCII) local parts and domains are accepted.
pub fn email(s: &str) -> Result<(), ProblemKind> {
    if s.is_empty() {
        return Err(ProblemKind::Required);
    }
    let bad = ProblemKind::InvalidEmail;
    if s.len() > 254 || has_control(s) {
        return Err(bad);
    }
    let Some((local, domain)) = s.rsplit_once('@') else {
        return Err(bad);
    };
    if local.is_empty() || local.len() > 64 || local.starts_with('.') || local.ends_with('.') {
        return Err(bad);
    }
    // One pass over the local part: no second `@`, no specials, no
    // whitespace, no `..`.
    let mut prev = 0u8;
    for &c in local.as_bytes() {
        let special = matches!(
            c,
            b'@' | b'"'
                | b'('
                | b')'
                | b','
                | b':'
                | b';'
                | b'<'
                | b'>'
                | b'['
                | b'\\'
                | b']'
                | b' '
        );
        if special || (c == b'.' && prev == b'.') {
            return Err(bad);
        }
        prev = c;
    }
    if !local.is_ascii() && local.contains(char::is_whitespace) {
        return Err(bad);
    }
    if !domain.contains('.') {
        return Err(bad);
    }
    for label in domain.split('.') {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && if label.is_ascii() {
                label
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'-')
            } else {
                label.chars().all(|c| c.is_alphanumeric() || c == '-')
            };
        if !ok {
            return Err(bad);
        }
    }
    Ok(())
}

/// The spellings a yes/no cell may use, as (yes, no) pairs, any case. The
/// error for any other value lists exactly these ([`boolean_spellings`]), so
/// what the message promises and what is read cannot drift apart.
pub const BOOLEAN_SPELLINGS: [(&str, &str); 5] = [
    ("true", "false"),
    ("yes", "no"),
    ("y", "n"),
    ("1", "0"),
    ("active", "inactive"),
];

/// Every accepted spelling, for messages: `true/false, yes/no, y/n, 1/0 or active/inactive`.
pub fn boolean_spellings() -> String {
    let pairs: Vec<String> = BOOLEAN_SPELLINGS
        .iter()
        .map(|(yes, no)| format!("{yes}/{no}"))
        .collect();
    match pairs.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => pairs.concat(),
    }
}

/// Reads a yes/no cell in any of [`BOOLEAN_SPELLINGS`], any case, blanks
/// around it ignored.
pub fn boolean(s: &str) -> Result<bool, ProblemKind> {
    let t = s.trim();
    for (yes, no) in BOOLEAN_SPELLINGS {
        if t.eq_ignore_ascii_case(yes) {
            return Ok(true);
        }
        if t.eq_ignore_ascii_case(no) {
            return Ok(false);
        }
    }
    Err(ProblemKind::InvalidBoolean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            "first.last+tag@sub.example.test",
            "ü@exämple.de",
            "x-y@a-b.io",
        ] {
            assert_eq!(email(ok), Ok(()), "{ok}");
        }
        for bad in [
            "plain", "@b.co", "a@", "a@b", "a b@c.de", "a@@b.co", "a@b..co", ".a@b.co", "a@-b.co",
            "a@b.co.", "a;b@c.de", "a@b_c.de",
        ] {
            assert_eq!(email(bad), Err(ProblemKind::InvalidEmail), "{bad}");
        }
        assert_eq!(email(""), Err(ProblemKind::Required));
    }

    #[test]
    fn names() {
        assert!(username("jdoe").is_ok());
        assert!(username(" jdoe").is_err());
        assert!(username("j\u{7}doe").is_err());
        assert!(username(&"x".repeat(256)).is_err());
        assert!(username(&"é".repeat(255)).is_ok());
        assert!(group_name("a;b").is_err());
        assert!(group_name("jira-users").is_ok());
        assert!(display_name("Jane\nDoe").is_err());
        assert!(display_name(" Jane Doe ").is_ok());
    }

    #[test]
    fn every_control_and_bidi_control_is_refused_in_names() {
        let controls = (0u32..=0x1F).chain([0x7F]);
        let bidi = (0x202Au32..=0x202E).chain(0x2066..=0x2069);
        for code in controls.chain(bidi) {
            let c = char::from_u32(code).unwrap_or_default();
            let name = format!("ad{c}min");
            assert!(username(&name).is_err(), "U+{code:04X} in a username");
            assert!(group_name(&name).is_err(), "U+{code:04X} in a group name");
            assert!(
                display_name(&name).is_err(),
                "U+{code:04X} in a display name"
            );
        }
        assert_eq!(
            group_name("staff\u{202E}sresu"),
            Err(ProblemKind::InvalidGroupName(BIDI))
        );
        assert_eq!(
            username("a\u{2066}b"),
            Err(ProblemKind::InvalidUsername(BIDI))
        );
        // Neighbours of the ranges and ordinary right-to-left text stay valid.
        for ok in [
            "a\u{2029}b",
            "a\u{202F}b",
            "a\u{2065}b",
            "a\u{206A}b",
            "שלום",
            "مرحبا",
            "a\u{200F}b",
        ] {
            assert!(username(ok).is_ok(), "{ok:?}");
            assert!(group_name(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("TRUE"), Ok(true));
        assert_eq!(boolean(" no "), Ok(false));
        assert_eq!(boolean("Inactive"), Ok(false));
        assert_eq!(boolean("maybe"), Err(ProblemKind::InvalidBoolean));
    }

    #[test]
    fn the_boolean_error_lists_exactly_what_is_read() {
        let message = ProblemKind::InvalidBoolean.to_string();
        assert_eq!(
            message,
            "expected true/false, yes/no, y/n, 1/0 or active/inactive (any case)"
        );
        for (yes, no) in BOOLEAN_SPELLINGS {
            assert!(message.contains(&format!("{yes}/{no}")), "{yes}/{no}");
            assert_eq!(boolean(yes), Ok(true), "{yes}");
            assert_eq!(boolean(&yes.to_uppercase()), Ok(true), "{yes}");
            assert_eq!(boolean(no), Ok(false), "{no}");
            assert_eq!(
                boolean(&format!(" {} ", no.to_uppercase())),
                Ok(false),
                "{no}"
            );
        }
    }
}
