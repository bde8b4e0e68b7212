//! Compact string columns and allocation-free hash lookups over them.
//!
//! Why not `Vec<String>` and `HashMap<String, u32>`: at 1M users that is
//! millions of small heap allocations (24 bytes of header each, plus the
//! allocator's overhead) and a build dominated by `malloc`. A column here is
//! one `String` arena plus one `u32` end offset per user; a lookup is a
//! bucketed table of packed (hash fragment, user) words, verified against
//! the arena, so it costs 8 bytes per user and no allocation per entry.

/// Error returned when an arena would outgrow its `u32` offsets (4 GiB of text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArenaFull;

/// One string per user, stored back to back in a single arena.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringColumn {
    bytes: String,
    ends: Vec<u32>,
}

impl StringColumn {
    /// Appends the next user's string.
    pub(crate) fn push(&mut self, s: &str) -> Result<(), ArenaFull> {
        let end = self.bytes.len().checked_add(s.len()).ok_or(ArenaFull)?;
        let end = u32::try_from(end).map_err(|_| ArenaFull)?;
        self.bytes.push_str(s);
        self.ends.push(end);
        Ok(())
    }

    /// The string of user `i` (empty if out of range).
    pub(crate) fn get(&self, i: usize) -> &str {
        let start = match i.checked_sub(1) {
            None => 0,
            Some(p) => self.ends.get(p).map_or(0, |&e| e as usize),
        };
        let end = self.ends.get(i).map_or(start, |&e| e as usize);
        self.bytes.get(start..end).unwrap_or("")
    }

    /// Every string in order: one walk over the arena, without the
    /// per-call offset lookups of [`Self::get`].
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let mut start = 0usize;
        self.ends.iter().map(move |&end| {
            let end = end as usize;
            let s = self.bytes.get(start..end).unwrap_or("");
            start = end;
            s
        })
    }

    /// The arena and the end offset of each string (user `i` is
    /// `bytes[ends[i - 1]..ends[i]]`), for scans over every string at once.
    pub(crate) fn arena(&self) -> (&[u8], &[u32]) {
        (self.bytes.as_bytes(), &self.ends)
    }

    /// This column with ASCII letters lower-cased, offsets unchanged: for an
    /// all-ASCII column, each string's `str::to_lowercase` in one pass over
    /// the arena (no allocation per string).
    pub(crate) fn ascii_lowercased(&self) -> StringColumn {
        StringColumn {
            bytes: self.bytes.to_ascii_lowercase(),
            ends: self.ends.clone(),
        }
    }

    /// Number of strings.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Drops every string from user `len` on (builder rollback).
    pub(crate) fn truncate(&mut self, len: usize) {
        if len < self.ends.len() {
            let end = match len.checked_sub(1) {
                None => 0,
                Some(p) => self.ends.get(p).map_or(0, |&e| e as usize),
            };
            self.ends.truncate(len);
            self.bytes.truncate(end);
        }
    }

    /// Releases spare capacity once the column is complete.
    pub(crate) fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4
    }
}

const SEED: u64 = 0xcbf2_9ce4_8422_2325;
const K: u64 = 0x517c_c1b7_2722_0a95;

/// One FxHash-style mixing step over a word.
fn mix(h: u64, w: u64) -> u64 {
    (h.rotate_left(5) ^ w).wrapping_mul(K)
}

/// Calls `f` with each byte of `s` lower-cased the way both products fold
/// usernames, emails and group names (`str::to_lowercase`), without allocating.
fn for_each_folded_byte(s: &str, mut f: impl FnMut(u8)) {
    if s.is_ascii() {
        for b in s.bytes() {
            f(b.to_ascii_lowercase());
        }
        return;
    }
    let mut buf = [0u8; 4];
    for c in s.chars().flat_map(char::to_lowercase) {
        for b in c.encode_utf8(&mut buf).bytes() {
            f(b);
        }
    }
}

/// Hashes ASCII (or any) bytes eight at a time; `fold` lower-cases ASCII
/// letters with a branch-free bit trick first.
fn hash_words(bytes: &[u8], fold: bool) -> u64 {
    let mut h = SEED;
    let mut chunks = bytes.chunks_exact(8);
    let lower = |w: u64| -> u64 {
        if !fold {
            return w;
        }
        // Per byte: set 0x20 where the byte is in b'A'..=b'Z' (all bytes < 0x80 here).
        let ge_a = w.wrapping_add(0x3f3f_3f3f_3f3f_3f3f); // high bit set where byte ≥ 'A'
        let gt_z = w.wrapping_add(0x2525_2525_2525_2525); // high bit set where byte > 'Z'
        let upper = ge_a & !gt_z & 0x8080_8080_8080_8080;
        w | (upper >> 2)
    };
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = mix(h, lower(u64::from_le_bytes(b)));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        if let Some(dst) = b.get_mut(..rest.len()) {
            dst.copy_from_slice(rest);
        }
        h = mix(h, lower(u64::from_le_bytes(b)));
    }
    let h = mix(h, bytes.len() as u64);
    h ^ (h >> 29)
}

/// A [`std::hash::Hasher`] over [`hash_words`], for the small maps the build
/// probes once per membership or user (group names, group sets).
///
/// Why not the std default: SipHash is built to resist hash flooding by
/// whoever chooses the keys; these maps are keyed by the host's own group
/// names and the sets they form, and SipHash's per-byte rounds were a
/// twentieth of the index build. This is the same word-at-a-time mixing as
/// the lookups' hashes, so no new dependency is needed for it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = mix(self.0, hash_words(bytes, false));
    }
    fn write_u8(&mut self, b: u8) {
        self.0 = mix(self.0, u64::from(b));
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = mix(self.0, n as u64);
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
}

/// Builds [`WordHasher`]s (a `HashMap`'s `S` parameter).
pub(crate) type WordBuild = std::hash::BuildHasherDefault<WordHasher>;

/// A case-folded hash: deterministic across runs and platforms.
pub(crate) fn folded_hash(s: &str) -> u64 {
    if s.is_ascii() {
        return hash_words(s.as_bytes(), true);
    }
    let mut folded = Vec::with_capacity(s.len());
    for_each_folded_byte(s, |b| folded.push(b));
    hash_words(&folded, false)
}

/// [`folded_hash`] of a string whose folding is `folded` (the lower-cased
/// characters, as `char::to_lowercase` gives them): for every `s`,
/// `folded_hash(s) == hash_of_folded(&fold(s))`.
pub(crate) fn hash_of_folded(folded: &str) -> u64 {
    hash_words(folded.as_bytes(), false)
}

/// An exact (case-sensitive) hash, for user keys.
pub(crate) fn exact_hash(s: &str) -> u64 {
    hash_words(s.as_bytes(), false)
}

/// True when `a` and `b` are equal once lower-cased.
pub(crate) fn eq_folded(a: &str, b: &str) -> bool {
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        return false;
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .eq(b.chars().flat_map(char::to_lowercase))
}

/// A table answering "which users have this string", 8 bytes per user.
///
/// A bucket directory over the hashes' top `bits` bits sits in front of the
/// table, so a lookup is one jump to a bucket of a few entries instead of a
/// binary search over the whole table: at 1M users the binary search's ~20
/// cache misses were a third of a users import's time. Because the bucket
/// already stands for those top bits, an entry only keeps the next 32 bits
/// of the hash (its *fragment*) next to the user, packed in one `u64`
/// (fragment high, user low): half the size of a `(u64, u32)` pair. Users
/// whose hashes agree on bucket and fragment but differ below are both
/// returned as candidates; every caller verifies a candidate against the
/// column, so a shorter fragment costs a rare extra comparison, never a
/// wrong answer.
#[derive(Debug, Clone, Default)]
pub(crate) struct HashLookup {
    /// Per bucket, sorted: `fragment << 32 | user`.
    entries: Vec<u64>,
    /// `starts[b]..starts[b + 1]` are the entries whose hash has top bits `b`.
    starts: Vec<u32>,
    /// How many top bits of a hash pick its bucket.
    bits: u32,
}

/// The bucket of hash `h` in a directory over its top `bits` bits.
fn bucket(h: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        usize::try_from(h >> (64 - bits)).unwrap_or(0)
    }
}

/// The 32 bits of `h` right below its top `bits` (the bucket's) bits.
fn fragment(h: u64, bits: u32) -> u32 {
    // `bits` ≤ 22, so the shift stays in range and the top half is the fragment.
    ((h << bits) >> 32) as u32
}

/// The user half of a packed entry.
fn entry_user(e: u64) -> u32 {
    (e & u64::from(u32::MAX)) as u32
}

/// The fragment half of a packed entry.
fn entry_fragment(e: u64) -> u32 {
    (e >> 32) as u32
}

impl HashLookup {
    /// Builds the table over `column` with `hash` (empty strings are left out).
    ///
    /// A counting sort by bucket (users arrive in order, so each bucket is
    /// filled in user order) and then a sort of each bucket's few packed
    /// entries: linear, where sorting a million `(u64, u32)` pairs was not.
    pub(crate) fn build(column: &StringColumn, hash: fn(&str) -> u64) -> Self {
        // One walk over the arena for the hashes (empty strings get no
        // entry: their slot is skipped below, told apart by their offsets).
        // The two passes below read the hashes and the offsets only, not
        // the strings again: three `get`s per user cost a tenth of a build.
        let n = column.len().min(u32::MAX as usize);
        let mut hashes: Vec<u64> = Vec::with_capacity(n);
        let mut present = 0usize;
        for s in column.iter().take(n) {
            if s.is_empty() {
                hashes.push(0);
            } else {
                present += 1;
                hashes.push(hash(s));
            }
        }
        // Per user: does their string have an entry.
        let non_empty = || {
            let mut start = 0u32;
            column.ends.iter().take(n).map(move |&end| {
                let full = end != start;
                start = end;
                full
            })
        };
        // About four entries per bucket; at most 2^22 buckets (16 MiB).
        let bits = (usize::BITS - present.leading_zeros())
            .saturating_sub(2)
            .min(22);
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for (&h, full) in hashes.iter().zip(non_empty()) {
            if full && let Some(count) = starts.get_mut(bucket(h, bits) + 1) {
                *count += 1;
            }
        }
        let mut end = 0u32;
        for start in &mut starts {
            end += *start;
            *start = end;
        }
        // Scatter: `next[b]` is where bucket `b`'s next entry goes.
        let mut next: Vec<u32> = starts.clone();
        let mut entries = vec![0u64; present];
        for ((i, &h), full) in (0u32..).zip(&hashes).zip(non_empty()) {
            if full
                && let Some(slot) = next.get_mut(bucket(h, bits))
                && let Some(e) = entries.get_mut(*slot as usize)
            {
                *e = (u64::from(fragment(h, bits)) << 32) | u64::from(i);
                *slot += 1;
            }
        }
        drop(next);
        drop(hashes);
        for w in starts.windows(2) {
            if let [lo, hi] = *w
                && let Some(run) = entries.get_mut(lo as usize..hi as usize)
                && run.len() > 1
            {
                run.sort_unstable();
            }
        }
        Self {
            entries,
            starts,
            bits,
        }
    }

    /// Users whose string may hash to `h` (same bucket and fragment), in
    /// ascending user order. Callers verify each against the column.
    pub(crate) fn candidates(&self, h: u64) -> impl Iterator<Item = u32> + '_ {
        let b = bucket(h, self.bits);
        let f = fragment(h, self.bits);
        let lo = self.starts.get(b).map_or(0, |&s| s as usize);
        let hi = self.starts.get(b + 1).map_or(0, |&s| s as usize);
        let run = self.entries.get(lo..hi).unwrap_or(&[]);
        let start = run.partition_point(|&e| entry_fragment(e) < f);
        run.get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |&&e| entry_fragment(e) == f)
            .map(|&e| entry_user(e))
    }

    /// Runs of two or more users that share bucket and fragment, each run in
    /// ascending user order (for duplicate detection: every duplicate pair
    /// lies within one run; a run may also hold users that merely collide).
    pub(crate) fn collision_runs(&self) -> impl Iterator<Item = CollisionRun<'_>> + '_ {
        self.starts.windows(2).flat_map(move |w| {
            let run = match *w {
                [lo, hi] => self.entries.get(lo as usize..hi as usize).unwrap_or(&[]),
                _ => &[],
            };
            run.chunk_by(|&a, &b| entry_fragment(a) == entry_fragment(b))
                .filter(|run| run.len() > 1)
                .map(|entries| CollisionRun { entries })
        })
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<u64>()
            + self.starts.capacity() * std::mem::size_of::<u32>()
    }
}

/// Users sharing a bucket and a fragment (see [`HashLookup::collision_runs`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CollisionRun<'a> {
    entries: &'a [u64],
}

impl CollisionRun<'_> {
    /// The users, ascending.
    pub(crate) fn users(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().map(|&e| entry_user(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_round_trips_and_truncates() {
        let mut c = StringColumn::default();
        for s in ["a", "", "héllo", "xyz"] {
            c.push(s).unwrap();
        }
        assert_eq!(c.get(0), "a");
        assert_eq!(c.get(1), "");
        assert_eq!(c.get(2), "héllo");
        assert_eq!(c.get(3), "xyz");
        assert_eq!(c.get(4), "");
        c.truncate(2);
        assert_eq!(c.len(), 2);
        c.push("q").unwrap();
        assert_eq!(c.get(2), "q");
    }

    #[test]
    fn folding_agrees_between_hash_and_eq() {
        let pairs = [
            ("Alice", "aLICE"),
            ("ÉMILE", "émile"),
            ("ab", "abc"),
            ("Zed", "amy"),
            ("\u{212A}ay", "KAY"),
            ("\u{130}nci", "i\u{307}NCI"),
        ];
        for (a, b) in pairs {
            let eq = eq_folded(a, b);
            assert_eq!(eq, a.to_lowercase() == b.to_lowercase());
            for s in [a, b] {
                let folded: String = s.chars().flat_map(char::to_lowercase).collect();
                assert_eq!(folded_hash(s), hash_of_folded(&folded), "{s:?}");
            }
            if eq {
                assert_eq!(folded_hash(a), folded_hash(b));
            }
        }
    }

    #[test]
    fn ascii_folding_in_words_matches_per_byte_folding() {
        let all: String = (0u8..128).map(char::from).collect();
        for start in 0..all.len() {
            let s = &all[start..];
            assert_eq!(
                folded_hash(s),
                hash_words(s.to_ascii_lowercase().as_bytes(), false),
                "{s:?}"
            );
        }
        assert_ne!(folded_hash("a"), folded_hash("a\0"));
        assert_eq!(folded_hash("ÉMILE"), folded_hash("émile"));
    }

    /// A hash with four values: every bucket and fragment collides.
    fn colliding_hash(s: &str) -> u64 {
        (folded_hash(s) % 4) << 41
    }

    /// What a lookup must answer, from a plain map over folded strings.
    fn reference(strings: &[String]) -> std::collections::HashMap<String, Vec<u32>> {
        let mut map: std::collections::HashMap<String, Vec<u32>> = Default::default();
        for (i, s) in (0u32..).zip(strings) {
            if !s.is_empty() {
                map.entry(s.to_lowercase()).or_default().push(i);
            }
        }
        map
    }

    fn column_of(strings: &[String]) -> StringColumn {
        let mut c = StringColumn::default();
        for s in strings {
            c.push(s).unwrap();
        }
        c
    }

    proptest::proptest! {
        /// The compact lookup, verified against the column, finds exactly
        /// the users a `HashMap<String, Vec<u32>>` finds, whether fragments
        /// are distinct (the real hash) or all collide (a four-valued one),
        /// and every pair of equal strings lies within one collision run.
        #[test]
        fn compact_lookup_finds_what_a_hash_map_finds(
            strings in proptest::collection::vec("[aAbB]{0,3}", 0..200),
            probes in proptest::collection::vec("[aAbBc]{0,3}", 0..20),
        ) {
            let column = column_of(&strings);
            let want = reference(&strings);
            for hash in [folded_hash as fn(&str) -> u64, colliding_hash] {
                let lookup = HashLookup::build(&column, hash);
                for probe in probes.iter().chain(want.keys()) {
                    let found: Vec<u32> = lookup
                        .candidates(hash(probe))
                        .filter(|&i| eq_folded(column.get(i as usize), probe))
                        .collect();
                    let expected = want.get(&probe.to_lowercase()).cloned().unwrap_or_default();
                    proptest::prop_assert_eq!(found, expected, "probe {:?}", probe);
                }
                let mut paired = 0usize;
                for run in lookup.collision_runs() {
                    let users: Vec<u32> = run.users().collect();
                    proptest::prop_assert!(users.windows(2).all(|w| w[0] < w[1]));
                    for (a, &i) in users.iter().enumerate() {
                        paired += users[a + 1..]
                            .iter()
                            .filter(|&&j| eq_folded(column.get(i as usize), column.get(j as usize)))
                            .count();
                    }
                }
                let pairs: usize = want.values().map(|v| v.len() * (v.len() - 1) / 2).sum();
                proptest::prop_assert_eq!(paired, pairs);
            }
        }
    }

    #[test]
    fn compact_lookup_skips_empty_strings_and_sizes_itself() {
        let strings: Vec<String> = (0..1000)
            .map(|i| {
                if i % 3 == 0 {
                    String::new()
                } else {
                    format!("u{i}")
                }
            })
            .collect();
        let column = column_of(&strings);
        let lookup = HashLookup::build(&column, exact_hash);
        assert_eq!(lookup.entries.len(), 666);
        assert_eq!(lookup.candidates(exact_hash("")).count(), 0);
        assert_eq!(
            lookup.candidates(exact_hash("u5")).collect::<Vec<_>>(),
            vec![5]
        );
        // 8 bytes per entry plus the bucket directory.
        assert_eq!(lookup.heap_bytes(), 666 * 8 + lookup.starts.len() * 4);
    }
}
