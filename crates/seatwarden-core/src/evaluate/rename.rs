//! Renames that cannot happen: a deactivation with a `renameSuffix` whose
//! new username another account already holds (`bob_old` exists).
//!
//! Why in the plan: the host would refuse the rename (and with it the
//! deactivation that follows it) at apply time, after the preview had
//! promised it. Skipping the user while planning, naming the holder, keeps
//! the preview honest; choosing another name by some rule would surprise
//! the admin who chose the suffix.

use roaring::RoaringBitmap;

use crate::index::{DirectoryIndex, UserIdx, strings};
use crate::model::UserKey;

/// The users of `candidates` whose `username + suffix` is held by another
/// account, each with the holder's key.
pub(super) fn taken(
    index: &DirectoryIndex,
    candidates: &RoaringBitmap,
    suffix: &str,
) -> Vec<(u32, UserKey)> {
    candidates
        .iter()
        .filter_map(|i| {
            let target = rename_target(index.username(UserIdx(i)), suffix)?;
            let holder = index.index_of_username(&target)?;
            (holder.0 != i).then(|| (i, crate::plan::key_of(index, holder.0)))
        })
        .collect()
}

/// The username a deactivation with `suffix` renames `name` to, or `None`
/// when the name already ends with the suffix: an account renamed by an
/// earlier run (`bob_old`) is not renamed again (`bob_old_old`), so what
/// may hold that name does not matter either. The plan's rename writes and
/// the check above both ask here, so a user is never skipped for a rename
/// the plan would not make.
pub(crate) fn rename_target(name: &str, suffix: &str) -> Option<String> {
    (!ends_with_folded(name, suffix)).then(|| format!("{name}{suffix}"))
}

/// `fold(name)` ends with `fold(suffix)`: compared as usernames are
/// compared ([`fold`]: `char::to_lowercase`, so a final sigma is a sigma).
/// ASCII, the usual case, is compared in place: two folded strings per
/// deactivated user were a visible share of rendering at a million users
/// (issue 19).
fn ends_with_folded(name: &str, suffix: &str) -> bool {
    if name.is_ascii() && suffix.is_ascii() {
        name.len()
            .checked_sub(suffix.len())
            .and_then(|start| name.as_bytes().get(start..))
            .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
    } else {
        fold(name).ends_with(&fold(suffix))
    }
}

/// [`taken`] of the users in both `a` and `b` (the candidates), in user
/// order, answered from the holders' side.
///
/// Why: at the forecast's horizon most idle users are candidates of most
/// policies, and asking [`taken`] about each costs a formatted name and a
/// hash look-up per user (the profile's leader at 1M users). Only an account
/// whose username ends with the suffix (compared as usernames are compared,
/// lower-cased by `char::to_lowercase`) can hold a target, and there are
/// usually a handful. So each suffix gets one scan of the username column
/// for those holders ([`possibly_taken`]); the users whose name is a
/// holder's name minus the suffix are the only ones whose target may be
/// taken, and [`taken`] itself answers for them, so the holder named is the
/// one it names. The answer per suffix depends on the usernames alone, so
/// the index keeps it (`index/rename_holders.rs`): made by the first plan,
/// read by every later one.
///
/// Each answer is kept as a bitmap: a directory whose deactivated accounts
/// were renamed by earlier runs holds a taken target for each of them (100k
/// at 1M users in the benchmark's organisation), and asking every policy's
/// candidates about each of those one at a time was 18 % of a 20-policy
/// plan's instructions (issue 19); an intersection of bitmaps answers which
/// of them are candidates at once. Only those (a handful per policy) are
/// then asked of [`taken`]: confirming every possible one when the suffix
/// was first seen cost a formatted name, a hash look-up and the holder's
/// key each, for answers no policy asked for.
///
/// Two sets rather than their intersection: the caller's sets are
/// whole-directory sized and the answer is small, so the intersection is
/// made with the (small) set of users whose target may be taken.
pub(super) fn taken_among(
    index: &DirectoryIndex,
    a: &RoaringBitmap,
    b: &RoaringBitmap,
    suffix: &str,
) -> Vec<(u32, UserKey)> {
    if suffix.is_empty() {
        // Every name already ends with it: nobody is renamed
        // ([`rename_target`]), so no target can be taken.
        return Vec::new();
    }
    let held = index
        .rename_holders
        .get_or_make(suffix, || possibly_taken(index, suffix));
    // The possible ones among the candidates, confirmed by the definition
    // itself (so the holder named is the one it names).
    taken(index, &((&*held & a) & b), suffix)
}

/// The users (of the first `users`) whose name's last byte may be `want`
/// once folded: it is `want` in either case, or not ASCII (a non-ASCII
/// character may fold to anything). One pass over the name ends, each
/// user's end the next one's start: the per-user look-ups of both ends
/// cost 36 instructions a user (issue 19), for a test that needs one byte.
fn ending_in(arena: &[u8], ends: &[u32], users: usize, want: u8) -> Vec<usize> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for (h, &e) in ends.iter().take(users).enumerate() {
        let end = e as usize;
        let last = end
            .checked_sub(1)
            .filter(|&i| i >= start)
            .and_then(|i| arena.get(i));
        start = end;
        if let Some(&b) = last
            && !(b.is_ascii() && b.to_ascii_lowercase() != want)
        {
            out.push(h);
        }
    }
    out
}

/// Lower-cased as usernames are compared ([`strings::eq_folded`]).
fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// `fold(name) == folded`, without making the folded name.
fn folds_to(name: &str, folded: &str) -> bool {
    name.chars().flat_map(char::to_lowercase).eq(folded.chars())
}

/// Every user whose `username + suffix` another account may hold: those
/// whose folded name is a holder's folded name minus the folded suffix (a
/// superset of [`taken`]'s answer over all users; `suffix` is not empty).
fn possibly_taken(index: &DirectoryIndex, suffix: &str) -> RoaringBitmap {
    let ascii_suffix = suffix.is_ascii();
    let folded_suffix = fold(suffix);
    // The suffix's last byte, lower-cased, when the suffix is ASCII: a name
    // whose last byte is ASCII and differs from it (ignoring case) cannot
    // end with the suffix, folded or not (an ASCII character folds to its
    // ASCII lower case), so one byte per user settles almost every name
    // without reading the rest of it. Names ending in a non-ASCII byte take
    // the full path below.
    let last = if ascii_suffix {
        suffix.as_bytes().last().map(u8::to_ascii_lowercase)
    } else {
        None
    };
    let (arena, ends) = index.usernames.arena();
    let mut out = RoaringBitmap::new();
    // One buffer for every holder's prefix, not an allocation each.
    let mut prefix = String::new();
    let (mut picked, mut every);
    let users: &mut dyn Iterator<Item = usize> = match last {
        Some(want) => {
            picked = ending_in(arena, ends, index.user_count(), want).into_iter();
            &mut picked
        }
        None => {
            every = 0..index.user_count();
            &mut every
        }
    };
    for h in users {
        let name = index.usernames.get(h);
        // The folded name minus the folded suffix, if it ends with it.
        prefix.clear();
        if ascii_suffix && name.is_ascii() {
            let Some(cut) = name.len().checked_sub(suffix.len()) else {
                continue;
            };
            match (name.get(..cut), name.get(cut..)) {
                (Some(p), Some(tail)) if tail.eq_ignore_ascii_case(suffix) => {
                    prefix.push_str(p);
                    prefix.make_ascii_lowercase();
                }
                _ => continue,
            }
        } else {
            let folded = fold(name);
            match folded.strip_suffix(folded_suffix.as_str()) {
                Some(p) => prefix.push_str(p),
                None => continue,
            }
        }
        for u in index
            .username_lookup
            .candidates(strings::hash_of_folded(&prefix))
        {
            if folds_to(index.usernames.get(u as usize), &prefix) {
                out.insert(u);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    //! The holders'-side answer ([`taken_among`]) against the simple one
    //! ([`taken`]) on random directories whose names collide in mixed case.

    use proptest::prelude::*;

    use super::*;

    /// Name pieces that collide under folding, ASCII and not (`K` is the
    /// Kelvin sign, which folds to `k`; `İ` folds to two characters).
    const PIECES: &[&str] = &[
        "a", "A", "k", "K", "\u{212A}", "_old", "_OLD", "_Old", "\u{e9}", "\u{c9}", "\u{130}", "i",
    ];
    /// The empty one too: it renames nobody.
    const SUFFIXES: &[&str] = &[
        "_old", "_OLD", "_oLd", "\u{c9}", "K", "\u{212A}", "\u{130}", "i", "",
    ];

    fn index(names: &[String]) -> Option<DirectoryIndex> {
        let users: Vec<(String, String)> = names
            .iter()
            .enumerate()
            .map(|(i, name)| (format!("JIRAUSER{}", 10_000 + i), name.clone()))
            .collect();
        crate::plan::key_order::tests::directory(&users)
    }

    fn arb_name() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(PIECES), 1..5).prop_map(|p| p.concat())
    }

    proptest! {
        #[test]
        fn fast_rename_check_agrees_with_the_simple_one(
            names in prop::collection::vec(arb_name(), 1..40),
            asks in prop::collection::vec(
                (
                    prop::sample::select(SUFFIXES),
                    prop::collection::vec(any::<bool>(), 40),
                    prop::collection::vec(prop::bool::weighted(0.8), 40),
                ),
                1..6,
            ),
        ) {
            // Usernames are unique once folded (the index refuses others).
            let mut seen = std::collections::HashSet::new();
            let names: Vec<String> = names.into_iter().filter(|n| seen.insert(fold(n))).collect();
            let index = index(&names);
            prop_assert!(index.is_some(), "directory refused: {:?}", names);
            let Some(index) = index else { return Ok(()) };
            for (suffix, pick, other) in asks {
                let users = 0..u32::try_from(index.user_count()).unwrap();
                let chosen = |p: &[bool]| -> RoaringBitmap {
                    users.clone().filter(|&i| p.get(i as usize).copied().unwrap_or(true)).collect()
                };
                let (a, b) = (chosen(&pick), chosen(&other));
                let simple = taken(&index, &(&a & &b), suffix);
                prop_assert_eq!(taken_among(&index, &a, &b, suffix), simple, "suffix {:?}", suffix);
            }
        }
    }

    proptest! {
        /// The in-place suffix test is the folded one, on ASCII and on text
        /// whose lower case is context-dependent (`Σ`), longer (`İ`) or
        /// ASCII (the Kelvin sign).
        #[test]
        fn the_suffix_test_is_the_folded_one(
            name in "[aZ_\u{3a3}\u{3c3}\u{3c2}\u{212a}k\u{130}i\u{df}]{0,6}",
            suffix in "[aZ_\u{3a3}\u{3c3}\u{212a}k\u{130}i\u{df}]{0,3}",
        ) {
            let simple = fold(&name).ends_with(&fold(&suffix));
            prop_assert_eq!(ends_with_folded(&name, &suffix), simple);
            prop_assert_eq!(rename_target(&name, &suffix).is_none(), simple);
        }
    }

    /// A capital sigma ends a name as it ends the suffix, though `str`'s
    /// lower case would make the name's a final sigma (`ς`).
    #[test]
    fn a_final_sigma_is_a_sigma() {
        assert_eq!(rename_target("\u{391}\u{3a3}", "\u{3a3}"), None);
        // A final sigma typed as such (`ς`) is another letter.
        assert_eq!(
            rename_target("\u{391}\u{3c2}", "\u{3a3}").as_deref(),
            Some("\u{391}\u{3c2}\u{3a3}")
        );
        assert_eq!(rename_target("bob", "_OLD").as_deref(), Some("bob_OLD"));
        assert_eq!(rename_target("Bob_old", "_OLD"), None);
    }

    /// The generator does produce collisions the fast path must find, in
    /// mixed case and through non-ASCII folding.
    #[test]
    fn mixed_case_holders_are_found() {
        let names: Vec<String> = [
            "Bob",
            "bob_OLD",
            "\u{c9}mile",
            "\u{e9}MILE\u{c9}",
            "Kay",
            "\u{212A}ayK",
        ]
        .map(String::from)
        .to_vec();
        let index = index(&names).expect("a valid directory");
        let all: RoaringBitmap = (0..6).collect();
        for suffix in ["_old", "\u{e9}", "k"] {
            let simple = taken(&index, &all, suffix);
            assert_eq!(simple.len(), 1, "{suffix:?}");
            assert_eq!(
                taken_among(&index, &all, &all, suffix),
                simple,
                "{suffix:?}"
            );
        }
    }
}
