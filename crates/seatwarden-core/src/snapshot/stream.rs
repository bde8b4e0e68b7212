//! Streaming snapshot JSON straight into an [`IndexBuilder`].
//!
//! Why not `serde_json::from_slice::<SnapshotFile>`: that materialises a
//! million `SnapshotUser`s with five owned strings each before the index
//! sees the first one. Here each user is deserialised borrowing from the
//! input (`Cow<str>` only allocates for strings with escapes), validated and
//! appended to the columns, then dropped; peak memory is the input plus the
//! index.
//!
//! The file's members are expected in the order `format`, `version`,
//! `header`, `pages` (the order we write them). Any other order still works:
//! pages that arrive before the header are deserialised into owned pages
//! and indexed once the header is known.

use std::borrow::Cow;
use std::fmt;

use crate::activity::ActivityValues;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use smallvec::SmallVec;

use super::{FORMAT, SnapshotError, SnapshotHeader, SnapshotPage, VERSION, fast};
use crate::index::build::UserFields;
use crate::index::{DirectoryIndex, IndexBuilder};

/// Group names kept inline per user before spilling to the heap: most
/// people are in a handful of groups.
const GROUPS_INLINE: usize = 8;

#[derive(Deserialize)]
pub(super) struct WireStr<'a>(#[serde(borrow)] pub(super) Cow<'a, str>);

/// A user as serde reads it: the reference for [`super::fast`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct WireUser<'a> {
    #[serde(borrow)]
    pub(super) key: Cow<'a, str>,
    #[serde(borrow)]
    pub(super) username: Cow<'a, str>,
    #[serde(borrow, default)]
    pub(super) display_name: Cow<'a, str>,
    #[serde(borrow, default)]
    pub(super) email: Cow<'a, str>,
    pub(super) directory_id: i64,
    pub(super) active: bool,
    pub(super) created: i64,
    #[serde(default)]
    pub(super) last_login: Option<i64>,
    #[serde(default)]
    pub(super) login_count: Option<u32>,
    #[serde(default)]
    pub(super) deactivated_at: Option<i64>,
    #[serde(default)]
    pub(super) suspended: bool,
    #[serde(borrow, default)]
    pub(super) groups: SmallVec<[WireStr<'a>; GROUPS_INLINE]>,
    #[serde(default)]
    pub(super) activity: ActivityValues,
}

impl WireUser<'_> {
    /// The fields as the builder takes them, borrowed from this user.
    pub(super) fn fields(&self) -> UserFields<'_> {
        UserFields {
            key: &self.key,
            username: &self.username,
            display_name: &self.display_name,
            email: &self.email,
            directory_id: self.directory_id,
            active: self.active,
            created: self.created,
            last_login: self.last_login,
            login_count: self.login_count,
            deactivated_at: self.deactivated_at,
            suspended: self.suspended,
            activity: self.activity,
        }
    }

    /// The names in its `groups`.
    pub(super) fn group_names(&self) -> impl Iterator<Item = &str> {
        self.groups.iter().map(|g| g.0.as_ref())
    }
}

/// The builder plus the first validation failure (serde's error type cannot
/// carry ours, so it is parked here and swapped in afterwards).
struct Sink<'b> {
    builder: &'b mut IndexBuilder,
    failure: &'b mut Option<SnapshotError>,
}

fn rejected<E: de::Error>(failure: &mut Option<SnapshotError>, e: SnapshotError) -> E {
    *failure = Some(e);
    E::custom("snapshot rejected")
}

struct UsersSeed<'s, 'b>(&'s mut Sink<'b>);

impl<'de> Visitor<'de> for UsersSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of users")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i: u32 = 0;
        while let Some(u) = seq.next_element::<WireUser<'de>>()? {
            if let Err(e) = self.0.builder.push_user(&u.fields(), u.group_names(), i) {
                return Err(rejected(self.0.failure, e));
            }
            i = i.checked_add(1).ok_or_else(|| {
                rejected(
                    self.0.failure,
                    SnapshotError::TooLarge {
                        what: "page too long",
                    },
                )
            })?;
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for UsersSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum PageField {
    Users,
}

/// One page object: begins a page in the builder, streams its users.
struct PageSeed<'s, 'b>(&'s mut Sink<'b>);

impl<'de> Visitor<'de> for PageSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a page object with `users`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if let Err(e) = self.0.builder.begin_page(None) {
            return Err(rejected(self.0.failure, e));
        }
        let mut seen = false;
        while let Some(PageField::Users) = map.next_key::<PageField>()? {
            if seen {
                return Err(de::Error::duplicate_field("users"));
            }
            seen = true;
            map.next_value_seed(UsersSeed(&mut *self.0))?;
        }
        if !seen {
            return Err(de::Error::missing_field("users"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

struct PagesSeed<'s, 'b>(&'s mut Sink<'b>);

impl<'de> Visitor<'de> for PagesSeed<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of pages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(PageSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for PagesSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "camelCase")]
enum FileField {
    Format,
    Version,
    Header,
    Pages,
}

#[derive(Default)]
struct FileState {
    builder: Option<IndexBuilder>,
    buffered: Option<Vec<SnapshotPage>>,
    failure: Option<SnapshotError>,
}

struct FileVisitor<'s>(&'s mut FileState);

impl<'de> Visitor<'de> for FileVisitor<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a snapshot object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let st = self.0;
        let (mut format, mut version, mut header, mut pages) = (false, false, false, false);
        while let Some(field) = map.next_key::<FileField>()? {
            match field {
                FileField::Format => {
                    if std::mem::replace(&mut format, true) {
                        return Err(de::Error::duplicate_field("format"));
                    }
                    let found: Cow<'de, str> = map.next_value::<WireStr<'de>>()?.0;
                    if found != FORMAT {
                        let e = SnapshotError::Format {
                            found: found.into_owned(),
                        };
                        return Err(rejected(&mut st.failure, e));
                    }
                }
                FileField::Version => {
                    if std::mem::replace(&mut version, true) {
                        return Err(de::Error::duplicate_field("version"));
                    }
                    let found: u32 = map.next_value()?;
                    if found != VERSION {
                        let e = SnapshotError::Version {
                            found,
                            supported: VERSION,
                        };
                        return Err(rejected(&mut st.failure, e));
                    }
                }
                FileField::Header => {
                    if std::mem::replace(&mut header, true) {
                        return Err(de::Error::duplicate_field("header"));
                    }
                    let h: SnapshotHeader = map.next_value()?;
                    let mut b = IndexBuilder::new(h).map_err(|e| rejected(&mut st.failure, e))?;
                    for page in st.buffered.take().unwrap_or_default() {
                        b.add_page(&page)
                            .map_err(|e| rejected(&mut st.failure, e))?;
                    }
                    st.builder = Some(b);
                }
                FileField::Pages => {
                    if std::mem::replace(&mut pages, true) {
                        return Err(de::Error::duplicate_field("pages"));
                    }
                    match st.builder.as_mut() {
                        Some(builder) => {
                            let mut sink = Sink {
                                builder,
                                failure: &mut st.failure,
                            };
                            map.next_value_seed(PagesSeed(&mut sink))?;
                        }
                        None => st.buffered = Some(map.next_value()?),
                    }
                }
            }
        }
        for (seen, name) in [
            (format, "format"),
            (version, "version"),
            (header, "header"),
            (pages, "pages"),
        ] {
            if !seen {
                return Err(de::Error::missing_field(name));
            }
        }
        Ok(())
    }
}

/// Parses, validates and indexes a whole snapshot file: by the plain
/// reader, or by serde when the plain reader finds it unusual.
pub(crate) fn index_file(bytes: &[u8]) -> Result<DirectoryIndex, SnapshotError> {
    // Validating UTF-8 once up front (std's ASCII fast path) lets serde_json
    // skip validating every string it borrows.
    let text = utf8(bytes)?;
    let mut plain = Plain {
        builder: None::<IndexBuilder>,
        index_in_page: 0,
    };
    if fast::read_file(text, &mut plain).is_ok()
        && let Some(builder) = plain.builder
    {
        return builder.finish();
    }
    let mut state = FileState::default();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed =
        de::Deserializer::deserialize_map(&mut de, FileVisitor(&mut state)).and_then(|()| de.end());
    if let Some(e) = state.failure {
        return Err(e);
    }
    parsed.map_err(|e| SnapshotError::from_json(&e))?;
    match state.builder {
        Some(b) => b.finish(),
        None => Err(SnapshotError::Json {
            line: 1,
            column: 1,
            message: "missing field `header`".to_owned(),
        }),
    }
}

/// Parses and adds one page message to `builder`; rolls the page back on error.
///
/// The plain reader ([`super::fast`]) goes first; a page it finds unusual
/// is rolled back and read again by serde, which also words every error.
pub(crate) fn stream_page(builder: &mut IndexBuilder, bytes: &[u8]) -> Result<(), SnapshotError> {
    let text = utf8(bytes)?;
    let pages_before = builder.page_count();
    let mut plain = Plain {
        builder: &mut *builder,
        index_in_page: 0,
    };
    if fast::read_page(text, &mut plain).is_ok() {
        return Ok(());
    }
    if builder.page_count() > pages_before {
        builder.rollback_page();
    }
    let mut failure = None;
    let parsed = {
        let mut sink = Sink {
            builder: &mut *builder,
            failure: &mut failure,
        };
        let mut de = serde_json::Deserializer::from_str(text);
        PageSeed(&mut sink)
            .deserialize(&mut de)
            .and_then(|()| de.end())
    };
    let result = match (failure, parsed) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(SnapshotError::from_json(&e)),
        (None, Ok(())) => Ok(()),
    };
    if result.is_err() && builder.page_count() > pages_before {
        builder.rollback_page();
    }
    result
}

/// The plain reader's way into a builder: a page message's (`&mut`), or a
/// file's (an `Option`, filled by its header).
struct Plain<B> {
    builder: B,
    index_in_page: u32,
}

/// Where [`Plain`] finds its builder.
trait Slot {
    fn builder(&mut self) -> Option<&mut IndexBuilder>;
    /// Takes the builder a header made; false if there may be none here.
    fn fill(&mut self, builder: IndexBuilder) -> bool;
}

impl Slot for &mut IndexBuilder {
    fn builder(&mut self) -> Option<&mut IndexBuilder> {
        Some(&mut **self)
    }

    fn fill(&mut self, _: IndexBuilder) -> bool {
        // A page message has no header.
        false
    }
}

impl Slot for Option<IndexBuilder> {
    fn builder(&mut self) -> Option<&mut IndexBuilder> {
        self.as_mut()
    }

    fn fill(&mut self, builder: IndexBuilder) -> bool {
        if self.is_some() {
            return false;
        }
        *self = Some(builder);
        true
    }
}

impl<'a, B: Slot> fast::Sink<'a> for Plain<B> {
    fn header(&mut self, header: SnapshotHeader) -> Result<(), fast::Unusual> {
        let builder = IndexBuilder::new(header).map_err(|_| fast::Unusual)?;
        if self.builder.fill(builder) {
            Ok(())
        } else {
            Err(fast::Unusual)
        }
    }

    fn begin_page(&mut self) -> Result<(), fast::Unusual> {
        self.index_in_page = 0;
        let builder = self.builder.builder().ok_or(fast::Unusual)?;
        builder.begin_page(None).map_err(|_| fast::Unusual)
    }

    fn user(
        &mut self,
        user: &UserFields<'a>,
        groups: &[&'a str],
        groups_json: &'a str,
    ) -> Result<(), fast::Unusual> {
        let index = self.index_in_page;
        let builder = self.builder.builder().ok_or(fast::Unusual)?;
        builder
            .push_user_json(user, groups.iter().copied(), groups_json, index)
            .map_err(|_| fast::Unusual)?;
        self.index_in_page = index.checked_add(1).ok_or(fast::Unusual)?;
        Ok(())
    }
}

/// The input as text, or a JSON error at the first invalid byte.
fn utf8(bytes: &[u8]) -> Result<&str, SnapshotError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = bytes.get(..e.valid_up_to()).unwrap_or(&[]);
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = valid.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
        SnapshotError::Json {
            line,
            column,
            message: "invalid UTF-8".to_owned(),
        }
    })
}
