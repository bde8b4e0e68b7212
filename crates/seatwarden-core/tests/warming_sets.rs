//! The users a warming signal cannot vouch for are what the definition says,
//! user by user.
//!
//! The evaluator answers "which matched users has this signal no date for,
//! or only one before its latest unrecorded stretch" with one scan of the
//! signal's column per (signal, end), shared by every policy (issue 19); it
//! used to ask each matched user in turn. This test states the set plainly
//! from the index's accessors — per matched set, its threshold's end; the
//! sets of one signal joined; narrowed to the users the outcome acts on —
//! and compares on random directories whose signals started recording at
//! random days, with random policies and counted signals.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use roaring::RoaringBitmap;
use seatwarden_core::Millis;
use seatwarden_core::activity::SignalName;
use seatwarden_core::evaluate::evaluate;
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use seatwarden_core::plan::Basis;
use serde_json::Value;

#[path = "support/random_policies.rs"]
mod random_policies;
use random_policies::*;

/// The directory of `users` with the three extra signals, signal `k`
/// recording since `since[k]` days ago (`None`: full history).
fn warming_directory(users: &[U], since: &[Option<i64>; 3]) -> DirectoryIndex {
    let mut doc: Value = serde_json::from_slice(&snapshot_with_signals(users)).unwrap();
    for (k, days) in since.iter().enumerate() {
        if let Some(d) = days {
            doc["header"]["signals"][k]["since"] = Value::from(NOW - d * DAY);
        }
    }
    DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&doc).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn warming_users_are_the_unvouched_acted_on_users_user_by_user(
        users in prop::collection::vec(user_strategy(), 1..60),
        policies in prop::collection::vec(policy_with_signals(), 1..6),
        activity in activity_strategy(),
        since in prop::array::uniform3(prop::option::of(0i64..400)),
    ) {
        let index = warming_directory(&users, &since);
        let config = config_counting(&policies, &activity);
        let now = Millis(NOW);
        let plan = evaluate(&config, &index, now, &ctx());
        let all = u32::try_from(index.user_count()).unwrap();
        for outcome in &plan.outcomes {
            let acted = outcome.acted_on();
            let mut want: Vec<(SignalName, RoaringBitmap)> = Vec::new();
            for (k, decl) in index.signals().iter().enumerate() {
                // Bit 0 of a mask is login; signal `k` is bit `k + 1`.
                if decl.since.is_none() || outcome.signals & (1 << (k + 1)) == 0 {
                    continue;
                }
                let mut users = RoaringBitmap::new();
                let mut any = false;
                // Only idleness asks signals to vouch (a deactivation time
                // is the host's, whatever the signals).
                for m in outcome.matched.iter().filter(|m| m.basis != Basis::Deactivated) {
                    let cutoff = now.minus_days(m.threshold_days);
                    let Some(end) = decl.last_uncovered_end(cutoff, now) else {
                        continue;
                    };
                    any = true;
                    users |= (0..all)
                        .filter(|&i| m.users.contains(i))
                        .filter(|&i| index.activity(UserIdx(i), k).is_none_or(|t| t < end))
                        .collect::<RoaringBitmap>();
                }
                users &= &acted;
                if any && !users.is_empty() {
                    want.push((SignalName::of(decl), users));
                }
            }
            let mut got: Vec<(SignalName, RoaringBitmap)> = outcome
                .warming
                .iter()
                .map(|w| (w.signal.signal.clone(), w.users.clone()))
                .collect();
            // The sets per signal are what is checked, not their order: the
            // outcome lists signals in the order its matched sets first
            // named them (`merge_warming`), and a later set may name an
            // earlier-declared signal. Both lists in declaration order.
            let declared: Vec<SignalName> = index.signals().iter().map(SignalName::of).collect();
            let position = |name: &SignalName| declared.iter().position(|d| d == name);
            got.sort_by_key(|(name, _)| position(name));
            prop_assert_eq!(got, want, "outcome {:?}", outcome.source);
        }
    }
}
