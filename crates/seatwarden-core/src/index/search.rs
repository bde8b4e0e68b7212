//! Substring search over the user string columns (the Users tab's search box).
//!
//! Why not compare per user: the first version slid a window over each of a
//! user's three strings with `eq_ignore_ascii_case`, about 1,400 instructions
//! per user, so every keystroke at 1M users cost 80–230 ms (see
//! `shared/reviews/performance-2026-12.md` §5.2). Here a SIMD substring finder
//! (`memchr::memmem`) runs over each column's whole arena at memory speed, and
//! a hit is mapped back to its user by the column's end offsets.
//!
//! Case: the search is case-insensitive with `str::to_lowercase` on both sides
//! (the needle is folded once by the query). Usernames and emails are almost
//! always lower-case already, so a column whose every string equals its
//! lower-cased form is searched in place; only a column that is not (display
//! names, in practice) keeps a lower-cased copy, about 12 bytes per user plus
//! its end offsets. Each user's string is folded as a whole, so context-
//! dependent folds (a final Greek sigma) agree with [`simple_matches`], the
//! per-user reference the property tests compare against.

use memchr::memmem::Finder;
use roaring::RoaringBitmap;

use super::strings::StringColumn;

/// A column as the search sees it: lower-cased.
#[derive(Debug, Clone, Default)]
pub(crate) enum FoldedColumn {
    /// Every string is already lower-case: search the source column itself.
    #[default]
    Same,
    /// The lower-cased strings, one per user, in user order.
    Copy(StringColumn),
}

impl FoldedColumn {
    /// The folded view of `column`: [`FoldedColumn::Same`] when nothing
    /// changes under lower-casing, else a lower-cased copy.
    pub(crate) fn of(column: &StringColumn) -> Self {
        let (bytes, _) = column.arena();
        if bytes.is_ascii() {
            // All ASCII (display names, in practice): lower-case the arena
            // at once, which is each string's `to_lowercase`; a string at a
            // time cost an allocation per user (~10 ms CPU per million).
            return if bytes.iter().any(u8::is_ascii_uppercase) {
                Self::Copy(column.ascii_lowercased())
            } else {
                Self::Same
            };
        }
        let already = (0..column.len()).all(|i| {
            let s = column.get(i);
            s.to_lowercase() == s
        });
        if already {
            return Self::Same;
        }
        let mut copy = StringColumn::default();
        for i in 0..column.len() {
            // Lower-casing grows a string by at most 3×; a column past 4 GiB
            // cannot be built in the first place, so a push that does not fit
            // would mean a corrupt index: fall back to searching in place.
            if copy.push(&column.get(i).to_lowercase()).is_err() {
                return Self::Same;
            }
        }
        copy.shrink();
        Self::Copy(copy)
    }

    /// The column to search: the copy, or `source` itself.
    pub(crate) fn pick<'a>(&'a self, source: &'a StringColumn) -> &'a StringColumn {
        match self {
            Self::Same => source,
            Self::Copy(c) => c,
        }
    }

    /// Heap bytes held (nothing for [`FoldedColumn::Same`]).
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            Self::Same => 0,
            Self::Copy(c) => c.heap_bytes(),
        }
    }
}

/// The searchable columns of an index with their folded views.
pub(crate) struct SearchColumns<'a> {
    /// `(source column, its folded view)` per searched field.
    pub(crate) columns: [(&'a StringColumn, &'a FoldedColumn); 3],
}

impl SearchColumns<'_> {
    /// The users of `candidates` with `needle_folded` (already lower-cased) in
    /// any searched column. Users are numbered `0..users`.
    pub(crate) fn matches(
        &self,
        needle_folded: &str,
        candidates: &RoaringBitmap,
        users: usize,
    ) -> RoaringBitmap {
        if needle_folded.is_empty() || candidates.is_empty() {
            return candidates.clone();
        }
        let finder = Finder::new(needle_folded.as_bytes());
        let folded: Vec<&StringColumn> = self.columns.iter().map(|(s, f)| f.pick(s)).collect();
        if candidates.len().saturating_mul(8) < users as u64 {
            // Few candidates (other filters narrowed them): test just those.
            let keep = |i: u32| {
                folded
                    .iter()
                    .any(|c| finder.find(c.get(i as usize).as_bytes()).is_some())
            };
            return RoaringBitmap::from_sorted_iter(candidates.iter().filter(|&i| keep(i)))
                .unwrap_or_default();
        }
        let mut hits = RoaringBitmap::new();
        for column in folded {
            hits |= arena_hits(column, &finder);
        }
        hits & candidates
    }
}

/// Every user of `column` whose string contains the finder's needle, by one
/// pass over the whole arena. A hit that straddles two users' strings is not
/// a match; after a real hit the scan jumps to the end of that user's string.
fn arena_hits(column: &StringColumn, finder: &Finder<'_>) -> RoaringBitmap {
    let (bytes, ends) = column.arena();
    let m = finder.needle().len();
    let mut users: Vec<u32> = Vec::new();
    let mut from = 0usize;
    // The first user whose end lies past `from`: hits only move forward, so
    // each search for a hit's user starts where the last one stopped.
    let mut user = 0usize;
    while let Some(rel) = bytes.get(from..).and_then(|rest| finder.find(rest)) {
        let at = from + rel;
        let tail = ends.get(user..).unwrap_or(&[]);
        user += tail.partition_point(|&e| (e as usize) <= at);
        let Some(&end) = ends.get(user) else { break };
        let end = end as usize;
        if at + m <= end {
            if let Ok(u) = u32::try_from(user) {
                users.push(u);
            }
            from = end;
        } else {
            // Straddles into the next user: look again from the next byte.
            from = at + 1;
        }
    }
    RoaringBitmap::from_sorted_iter(users).unwrap_or_default()
}

/// The reference the fast path must agree with: each user's strings folded
/// and searched one by one.
#[cfg(test)]
pub(crate) fn simple_matches(columns: &[&StringColumn], needle_folded: &str) -> Vec<u32> {
    let n = columns.first().map_or(0, |c| c.len());
    (0..n)
        .filter(|&i| {
            columns
                .iter()
                .any(|c| c.get(i).to_lowercase().contains(needle_folded))
        })
        .filter_map(|i| u32::try_from(i).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn column(strings: &[String]) -> StringColumn {
        let mut c = StringColumn::default();
        for s in strings {
            c.push(s).expect("fits");
        }
        c
    }

    fn run(cols: &[StringColumn; 3], needle: &str, candidates: &RoaringBitmap) -> Vec<u32> {
        let folded: Vec<FoldedColumn> = cols.iter().map(FoldedColumn::of).collect();
        let search = SearchColumns {
            columns: [
                (&cols[0], &folded[0]),
                (&cols[1], &folded[1]),
                (&cols[2], &folded[2]),
            ],
        };
        search
            .matches(needle, candidates, cols[0].len())
            .iter()
            .collect()
    }

    /// Short strings over a small alphabet (so needles hit, and hits straddle
    /// neighbours), with upper case and non-ASCII folds that change lengths
    /// (`İ` → `i̇`), map to ASCII (the Kelvin sign → `k`) or depend on
    /// context (final `Σ` → `ς`).
    fn word() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!['a', 'b', 'A', 'B', 'n', 'N', 'İ', 'K', 'Σ', 'é', ' ']),
            0..8,
        )
        .prop_map(|cs| cs.into_iter().collect())
    }

    proptest! {
        #[test]
        fn fast_path_agrees_with_the_per_user_search(
            users in prop::collection::vec((word(), word(), word()), 0..40),
            needle in word(),
        ) {
            let cols = [
                column(&users.iter().map(|u| u.0.clone()).collect::<Vec<_>>()),
                column(&users.iter().map(|u| u.1.clone()).collect::<Vec<_>>()),
                column(&users.iter().map(|u| u.2.clone()).collect::<Vec<_>>()),
            ];
            let needle = needle.to_lowercase();
            let expected = simple_matches(&[&cols[0], &cols[1], &cols[2]], &needle);
            // All users: the arena pass.
            let all: RoaringBitmap = (0..u32::try_from(users.len()).expect("few")).collect();
            prop_assert_eq!(run(&cols, &needle, &all), expected.clone());
            // A sparse subset: the per-candidate pass.
            let some: RoaringBitmap = all.iter().step_by(9).collect();
            let want: Vec<u32> = expected.iter().copied().filter(|u| some.contains(*u)).collect();
            prop_assert_eq!(run(&cols, &needle, &some), want);
        }
    }

    proptest! {
        /// The whole-arena fold of an ASCII column is each string's own
        /// `to_lowercase`, user by user.
        #[test]
        fn an_ascii_column_folds_string_by_string(
            strings in prop::collection::vec("[ -~]{0,6}", 0..60),
        ) {
            let col = column(&strings);
            let folded = FoldedColumn::of(&col);
            let view = folded.pick(&col);
            prop_assert_eq!(view.len(), strings.len());
            for (i, s) in strings.iter().enumerate() {
                prop_assert_eq!(view.get(i), s.to_lowercase());
            }
            prop_assert_eq!(
                matches!(folded, FoldedColumn::Same),
                strings.iter().all(|s| s.to_lowercase() == *s)
            );
        }
    }

    #[test]
    fn a_hit_across_two_users_is_not_a_match() {
        let cols = [
            column(&["xxan".into(), "dy".into()]),
            column(&["".into(), "".into()]),
            column(&["".into(), "".into()]),
        ];
        let all: RoaringBitmap = (0..2).collect();
        assert_eq!(run(&cols, "andy", &all), Vec::<u32>::new());
        assert_eq!(run(&cols, "an", &all), vec![0]);
    }

    #[test]
    fn lower_case_columns_are_searched_in_place() {
        let lower = column(&["ann.lee".into(), "bo".into()]);
        assert!(matches!(FoldedColumn::of(&lower), FoldedColumn::Same));
        let mixed = column(&["Ann Lee".into(), "bo".into()]);
        let FoldedColumn::Copy(copy) = FoldedColumn::of(&mixed) else {
            panic!("a mixed-case column needs a folded copy");
        };
        assert_eq!(copy.get(0), "ann lee");
        assert_eq!(copy.get(1), "bo");
    }
}
