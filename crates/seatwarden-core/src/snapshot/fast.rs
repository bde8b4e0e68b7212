//! A reader for snapshots as hosts write them, tried before serde.
//!
//! Why: at a million users, serde's generic machinery (a field-identifier
//! visitor per key, a 200-byte `WireUser` moved per element, `Cow`s) was
//! about half of an index build. Hosts write users in one plain shape:
//! ASCII field names, strings without escapes, non-negative integers. This
//! reader handles exactly that shape, in one pass over the bytes, and hands
//! each user to the builder borrowing from the input. (A file's header is
//! small and read once: serde reads it.)
//!
//! The contract is one-sided: when [`read_page`] or [`read_file`] answers
//! `Ok`, serde would have read the same input to the same header and users
//! (the tests and the `snapshot_page` fuzz target check it). On anything
//! else, whether an error or merely a form it does not handle (escapes, a
//! minus sign, `1.0`, an unknown, repeated or missing field, members in
//! another order, a value the builder rejects), it answers [`Unusual`]
//! without saying why; the caller then drops what was read and reads the
//! input again with serde, which gives the precise error or the right
//! value. So errors are worded in one place, and input this reader
//! misjudges can only cost time, never let bad data in, as long as it
//! never says `Ok` where serde would not.

use super::{FORMAT, SnapshotHeader, VERSION};
use crate::activity::ActivityValues;
use crate::index::build::UserFields;

/// The input is not in the plain shape (or is invalid): read it with serde.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Unusual;

/// Where what is read goes (the index builder; a recorder in tests). Any
/// error stops the read with [`Unusual`].
pub(crate) trait Sink<'a> {
    /// A file's header, before its pages.
    fn header(&mut self, header: SnapshotHeader) -> Result<(), Unusual>;
    /// A page begins.
    fn begin_page(&mut self) -> Result<(), Unusual>;
    /// The page's next user, with the groups named in its `groups` and
    /// that array's exact text (empty when it has none).
    fn user(
        &mut self,
        user: &UserFields<'a>,
        groups: &[&'a str],
        groups_json: &'a str,
    ) -> Result<(), Unusual>;
}

/// Reads one page message, `{"users":[…]}`, and nothing after it.
pub(crate) fn read_page<'a>(text: &'a str, sink: &mut impl Sink<'a>) -> Result<(), Unusual> {
    let mut r = Reader { text, pos: 0 };
    r.page(sink)?;
    r.end()
}

/// Reads a whole snapshot file written in the order we write it:
/// `format`, `version`, `header`, `pages`. Any other order is unusual.
pub(crate) fn read_file<'a>(text: &'a str, sink: &mut impl Sink<'a>) -> Result<(), Unusual> {
    let mut r = Reader { text, pos: 0 };
    r.expect(b'{')?;
    r.name("format")?;
    if r.string()? != FORMAT {
        return Err(Unusual);
    }
    r.expect(b',')?;
    r.name("version")?;
    if u32::try_from(r.integer()?) != Ok(VERSION) {
        return Err(Unusual);
    }
    r.expect(b',')?;
    r.name("header")?;
    sink.header(r.header()?)?;
    r.expect(b',')?;
    r.name("pages")?;
    r.array(|r| r.page(sink))?;
    r.expect(b'}')?;
    r.end()
}

/// A user's fields, in the order hosts write them.
#[derive(Clone, Copy)]
enum Field {
    Key,
    Username,
    DisplayName,
    Email,
    DirectoryId,
    Active,
    Created,
    LastLogin,
    LoginCount,
    DeactivatedAt,
    Suspended,
    Groups,
    Activity,
}

/// A field's name as it appears in a page, quoted and followed by its
/// colon (`"key":`), with its [`pattern`]: the colon is matched in the same
/// comparison, so the common case needs no separate step for it.
struct Name {
    field: Field,
    member: &'static [u8],
    pattern: u128,
    mask: u128,
}

const fn name(field: Field, member: &'static [u8]) -> Name {
    let (pattern, mask) = pattern(member);
    Name {
        field,
        member,
        pattern,
        mask,
    }
}

/// Every field's name, in the order hosts write them.
const FIELDS: [Name; 13] = [
    name(Field::Key, b"\"key\":"),
    name(Field::Username, b"\"username\":"),
    name(Field::DisplayName, b"\"displayName\":"),
    name(Field::Email, b"\"email\":"),
    name(Field::DirectoryId, b"\"directoryId\":"),
    name(Field::Active, b"\"active\":"),
    name(Field::Created, b"\"created\":"),
    name(Field::LastLogin, b"\"lastLogin\":"),
    name(Field::LoginCount, b"\"loginCount\":"),
    name(Field::DeactivatedAt, b"\"deactivatedAt\":"),
    name(Field::Suspended, b"\"suspended\":"),
    name(Field::Groups, b"\"groups\":"),
    name(Field::Activity, b"\"activity\":"),
];

/// A member's start (at most 16 bytes; longer ones never match) as a
/// little-endian pattern and mask over the next 16 input bytes: matched by
/// one `u128` comparison rather than a `memcmp` call per field of a
/// million users.
const fn pattern(quoted: &[u8]) -> (u128, u128) {
    let (mut pattern, mut mask) = (0u128, 0u128);
    let mut rest = quoted;
    let mut shift = 0;
    while let [first, tail @ ..] = rest {
        if shift >= 128 {
            return (0, u128::MAX);
        }
        pattern |= (*first as u128) << shift;
        mask |= 0xff << shift;
        shift += 8;
        rest = tail;
    }
    (pattern, mask)
}

/// The fields serde requires (the others have defaults), as a mask of
/// `1 << field`.
const REQUIRED: u16 = 1 << Field::Key as u16
    | 1 << Field::Username as u16
    | 1 << Field::DirectoryId as u16
    | 1 << Field::Active as u16
    | 1 << Field::Created as u16;

/// Up to 18 digits always fit an `i64`; longer numbers are left to serde.
const MAX_DIGITS: usize = 18;

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Reader<'a> {
    /// `{"users":[…]}` into `sink`.
    fn page(&mut self, sink: &mut impl Sink<'a>) -> Result<(), Unusual> {
        self.expect(b'{')?;
        self.name("users")?;
        sink.begin_page()?;
        let mut groups: Vec<&'a str> = Vec::with_capacity(16);
        self.array(|r| {
            groups.clear();
            let (user, groups_json) = r.user(&mut groups)?;
            sink.user(&user, &groups, groups_json)
        })?;
        self.expect(b'}')
    }

    /// `[ item, … ]`, each item read by `item`.
    fn array(
        &mut self,
        mut item: impl FnMut(&mut Self) -> Result<(), Unusual>,
    ) -> Result<(), Unusual> {
        self.expect(b'[')?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            item(self)?;
            match self.next_byte()? {
                b',' => {}
                b']' => return Ok(()),
                _ => return Err(Unusual),
            }
        }
    }

    /// Only whitespace is left.
    fn end(&mut self) -> Result<(), Unusual> {
        self.skip_ws();
        if self.pos == self.text.len() {
            Ok(())
        } else {
            Err(Unusual)
        }
    }

    /// An object member's name, `"name":`.
    fn name(&mut self, name: &str) -> Result<(), Unusual> {
        if self.string()? != name {
            return Err(Unusual);
        }
        self.expect(b':')
    }

    /// The header object, read by serde (it is small and read once), up to
    /// where serde stopped.
    fn header(&mut self) -> Result<SnapshotHeader, Unusual> {
        let rest = self.text.get(self.pos..).ok_or(Unusual)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<SnapshotHeader>();
        let header = values.next().ok_or(Unusual)?.map_err(|_| Unusual)?;
        self.pos += values.byte_offset();
        Ok(header)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// Skips JSON whitespace (the four bytes serde skips).
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The next byte after whitespace, consumed.
    fn next_byte(&mut self) -> Result<u8, Unusual> {
        self.skip_ws();
        let b = self.peek().ok_or(Unusual)?;
        self.pos += 1;
        Ok(b)
    }

    fn expect(&mut self, want: u8) -> Result<(), Unusual> {
        if self.next_byte()? == want {
            Ok(())
        } else {
            Err(Unusual)
        }
    }

    /// A string without escapes or control characters, borrowed. The input
    /// is valid UTF-8 and both quotes are ASCII, so the slice between them
    /// is too.
    fn string(&mut self) -> Result<&'a str, Unusual> {
        // Values follow their colon directly as hosts write them.
        if self.peek() == Some(b'"') {
            self.pos += 1;
        } else {
            self.expect(b'"')?;
        }
        let start = self.pos;
        let rest = self.text.as_bytes().get(start..).ok_or(Unusual)?;
        let len = string_end(rest).ok_or(Unusual)?;
        if rest.get(len) != Some(&b'"') {
            return Err(Unusual);
        }
        self.pos = start + len + 1;
        self.text.get(start..start + len).ok_or(Unusual)
    }

    /// A non-negative integer of at most [`MAX_DIGITS`] digits, without a
    /// leading zero. What follows it is checked by the caller's next
    /// structural byte, so `1.5`, `1e3` and `12x` all end up unusual.
    fn integer(&mut self) -> Result<i64, Unusual> {
        self.skip_ws();
        let bytes = self.text.as_bytes();
        let start = self.pos;
        let mut end = start;
        let mut value: i64 = 0;
        while let Some(&d) = bytes.get(end) {
            if !d.is_ascii_digit() {
                break;
            }
            if end - start == MAX_DIGITS {
                return Err(Unusual);
            }
            // At most 18 digits: never overflows, so the release build's
            // overflow checks are spared on every digit of every number.
            value = value.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
            end += 1;
        }
        let leading_zero = end - start > 1 && bytes.get(start) == Some(&b'0');
        if end == start || leading_zero {
            return Err(Unusual);
        }
        self.pos = end;
        Ok(value)
    }

    /// `null` (consumed: `true`) or not (nothing consumed: `false`).
    fn null(&mut self) -> bool {
        self.skip_ws();
        let is_null = self
            .text
            .as_bytes()
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(b"null"));
        if is_null {
            self.pos += 4;
        }
        is_null
    }

    fn optional_integer(&mut self) -> Result<Option<i64>, Unusual> {
        if self.null() {
            Ok(None)
        } else {
            self.integer().map(Some)
        }
    }

    fn boolean(&mut self) -> Result<bool, Unusual> {
        self.skip_ws();
        let rest = self.text.as_bytes().get(self.pos..).ok_or(Unusual)?;
        if rest.starts_with(b"true") {
            self.pos += 4;
            Ok(true)
        } else if rest.starts_with(b"false") {
            self.pos += 5;
            Ok(false)
        } else {
            Err(Unusual)
        }
    }

    /// `[ "…", … ]` into `groups`.
    fn strings(&mut self, groups: &mut Vec<&'a str>) -> Result<(), Unusual> {
        self.array(|r| {
            groups.push(r.string()?);
            Ok(())
        })
    }

    /// An `activity` array: integers or `null`, at most [`crate::activity::MAX_SIGNALS`].
    fn activity(&mut self) -> Result<ActivityValues, Unusual> {
        let mut out = ActivityValues::EMPTY;
        self.array(|r| {
            let v = r.optional_integer()?;
            if out.push(v) { Ok(()) } else { Err(Unusual) }
        })?;
        Ok(out)
    }

    /// The next member name of a user object and its colon. Hosts write
    /// the fields in [`FIELDS`] order, so the one after the previous field
    /// (`guess`) is tried first as a whole `"name":`; any other (or a name
    /// with whitespace before its colon) is read as a string.
    fn field(&mut self, guess: usize) -> Result<(Field, usize), Unusual> {
        self.skip_ws();
        let rest = self.text.as_bytes().get(self.pos..).ok_or(Unusual)?;
        if let (Some(name), Some(head)) = (FIELDS.get(guess), rest.get(..16)) {
            let mut word = [0u8; 16];
            word.copy_from_slice(head);
            if u128::from_le_bytes(word) & name.mask == name.pattern {
                self.pos += name.member.len();
                return Ok((name.field, guess));
            }
        }
        let name = self.string()?;
        let found = FIELDS
            .iter()
            .position(|n| n.member.get(1..n.member.len() - 2) == Some(name.as_bytes()))
            .and_then(|i| FIELDS.get(i).map(|n| (n.field, i)))
            .ok_or(Unusual)?;
        self.expect(b':')?;
        Ok(found)
    }

    /// One user object, its fields in any order, and its `groups` text.
    fn user(&mut self, groups: &mut Vec<&'a str>) -> Result<(UserFields<'a>, &'a str), Unusual> {
        self.expect(b'{')?;
        let mut u = UserFields {
            key: "",
            username: "",
            display_name: "",
            email: "",
            directory_id: 0,
            active: false,
            created: 0,
            last_login: None,
            login_count: None,
            deactivated_at: None,
            suspended: false,
            activity: ActivityValues::EMPTY,
        };
        let mut groups_json = "";
        let mut seen: u16 = 0;
        let mut guess = 0;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            // `{}` lacks the required fields.
            return Err(Unusual);
        }
        loop {
            let (field, at) = self.field(guess)?;
            guess = at + 1;
            let bit = 1u16 << field as u16;
            if seen & bit != 0 {
                return Err(Unusual);
            }
            seen |= bit;
            match field {
                Field::Key => u.key = self.string()?,
                Field::Username => u.username = self.string()?,
                Field::DisplayName => u.display_name = self.string()?,
                Field::Email => u.email = self.string()?,
                Field::DirectoryId => u.directory_id = self.integer()?,
                Field::Active => u.active = self.boolean()?,
                Field::Created => u.created = self.integer()?,
                Field::LastLogin => u.last_login = self.optional_integer()?,
                Field::LoginCount => {
                    u.login_count = match self.optional_integer()? {
                        Some(n) => Some(u32::try_from(n).map_err(|_| Unusual)?),
                        None => None,
                    };
                }
                Field::DeactivatedAt => u.deactivated_at = self.optional_integer()?,
                Field::Suspended => u.suspended = self.boolean()?,
                Field::Activity => u.activity = self.activity()?,
                Field::Groups => {
                    self.skip_ws();
                    let start = self.pos;
                    self.strings(groups)?;
                    groups_json = self.text.get(start..self.pos).ok_or(Unusual)?;
                }
            }
            match self.next_byte()? {
                b',' => {}
                b'}' => break,
                _ => return Err(Unusual),
            }
        }
        if seen & REQUIRED == REQUIRED {
            Ok((u, groups_json))
        } else {
            Err(Unusual)
        }
    }
}

/// Where the string body at the start of `bytes` ends: the first `"`, `\\`
/// or control character, or `None` when there is none.
///
/// Eight bytes at a time (strings average fifteen): for each of the three
/// tests, `(w - k) & !w & 0x80…` flags a byte below `k`. Borrows can only
/// flag bytes above a real match, so the lowest flag is exact.
fn string_end(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |w: u64, k: u64| w.wrapping_sub(k.wrapping_mul(ONES)) & !w & HIGHS;
    let mut i = 0;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let found = below(w ^ (u64::from(b'"') * ONES), 1)
            | below(w ^ (u64::from(b'\\') * ONES), 1)
            | below(w, 0x20);
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let tail = bytes.get(i..)?;
    tail.iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|p| i + p)
}

#[cfg(test)]
mod tests;
