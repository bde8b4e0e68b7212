//! Compact string columns and allocation-free hash lookups over them.
//!
//! Why not `Vec<String>` and `HashMap<String, u32>`: at 1M users that is
//! millions of small heap allocations (24 bytes of header each, plus the
//! allocator's overhead) and a build dominated by `malloc`. A column here is
//! one `String` arena plus one `u32` end offset per user; a lookup is a
//! sorted `Vec` of `(hash, user)` pairs, verified against the arena, so it
//! costs 16 bytes per user and no allocation per entry.

#[cfg(test)]
use std::cmp::Ordering;

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

/// A case-folded hash: deterministic across runs and platforms.
pub(crate) fn folded_hash(s: &str) -> u64 {
    if s.is_ascii() {
        return hash_words(s.as_bytes(), true);
    }
    let mut folded = Vec::with_capacity(s.len());
    for_each_folded_byte(s, |b| folded.push(b));
    hash_words(&folded, false)
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

/// Orders two strings by their lower-cased forms (code point order); the
/// reference the sort keys are tested against.
#[cfg(test)]
pub(crate) fn cmp_folded(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        return a
            .bytes()
            .map(|c| c.to_ascii_lowercase())
            .cmp(b.bytes().map(|c| c.to_ascii_lowercase()));
    }
    a.chars()
        .flat_map(char::to_lowercase)
        .cmp(b.chars().flat_map(char::to_lowercase))
}

/// The first 16 bytes of the folded form, big-endian, zero-padded: a sort
/// key whose order agrees with [`cmp_folded`] whenever it differs.
pub(crate) fn folded_prefix(s: &str) -> u128 {
    let mut key = 0u128;
    let mut n = 0u32;
    for_each_folded_byte(s, |b| {
        if n < 16 {
            key |= u128::from(b) << (120 - 8 * n);
            n += 1;
        }
    });
    key
}

/// True when `needle_folded` (already lower-cased) occurs in `hay` compared
/// case-insensitively.
pub(crate) fn contains_folded(hay: &str, needle_folded: &str) -> bool {
    if needle_folded.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle_folded.is_ascii() {
        let n = needle_folded.as_bytes();
        return hay
            .as_bytes()
            .windows(n.len())
            .any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(needle_folded)
}

/// A sorted `(hash, user)` table answering "which users have this string".
///
/// A bucket directory over the hashes' top bits sits in front of the sorted
/// table, so a lookup is one jump to a bucket of a few entries instead of a
/// binary search over the whole table: at 1M users the binary search's ~20
/// cache misses were a third of a users import's time.
#[derive(Debug, Clone, Default)]
pub(crate) struct HashLookup {
    entries: Vec<(u64, u32)>,
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

impl HashLookup {
    /// Builds the table over `column` with `hash`.
    pub(crate) fn build(column: &StringColumn, hash: fn(&str) -> u64) -> Self {
        let mut entries: Vec<(u64, u32)> = (0..column.len())
            .filter_map(|i| {
                let s = column.get(i);
                if s.is_empty() {
                    return None;
                }
                Some((hash(s), u32::try_from(i).ok()?))
            })
            .collect();
        entries.sort_unstable();
        // About four entries per bucket; at most 2^22 buckets (16 MiB).
        let bits = (usize::BITS - entries.len().leading_zeros())
            .saturating_sub(2)
            .min(22);
        let mut starts = vec![0u32; (1usize << bits) + 1];
        for &(h, _) in &entries {
            if let Some(count) = starts.get_mut(bucket(h, bits) + 1) {
                *count += 1;
            }
        }
        let mut end = 0u32;
        for start in &mut starts {
            end += *start;
            *start = end;
        }
        Self {
            entries,
            starts,
            bits,
        }
    }

    /// Users whose string hashes to `h`, in ascending user order.
    pub(crate) fn candidates(&self, h: u64) -> impl Iterator<Item = u32> + '_ {
        let b = bucket(h, self.bits);
        let lo = self.starts.get(b).map_or(0, |&s| s as usize);
        let hi = self.starts.get(b + 1).map_or(0, |&s| s as usize);
        let run = self.entries.get(lo..hi).unwrap_or(&[]);
        let start = run.partition_point(|&(eh, _)| eh < h);
        run.get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |&&(eh, _)| eh == h)
            .map(|&(_, i)| i)
    }

    /// Runs of entries sharing a hash (for duplicate detection).
    pub(crate) fn collision_runs(&self) -> impl Iterator<Item = &[(u64, u32)]> + '_ {
        self.entries
            .chunk_by(|a, b| a.0 == b.0)
            .filter(|run| run.len() > 1)
    }

    /// Heap bytes held.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<(u64, u32)>()
            + self.starts.capacity() * std::mem::size_of::<u32>()
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
    fn folding_agrees_between_hash_eq_cmp_and_prefix() {
        let pairs = [
            ("Alice", "aLICE"),
            ("ÉMILE", "émile"),
            ("ab", "abc"),
            ("Zed", "amy"),
        ];
        for (a, b) in pairs {
            let eq = eq_folded(a, b);
            assert_eq!(eq, a.to_lowercase() == b.to_lowercase());
            assert_eq!(cmp_folded(a, b), a.to_lowercase().cmp(&b.to_lowercase()));
            if eq {
                assert_eq!(folded_hash(a), folded_hash(b));
            }
            let (pa, pb) = (folded_prefix(a), folded_prefix(b));
            if pa != pb {
                assert_eq!(pa.cmp(&pb), cmp_folded(a, b));
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

    #[test]
    fn contains_folded_is_case_insensitive() {
        assert!(contains_folded("Alice.Smith", "smi"));
        assert!(contains_folded("ÉMILE", "émi"));
        assert!(!contains_folded("bob", "alice"));
        assert!(contains_folded("bob", ""));
    }
}
