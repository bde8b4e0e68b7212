//! The sets a plan matches are what their conditions say, user by user.
//!
//! The evaluator computes each policy's matched users as bitmap algebra over
//! cached column scans, simplified where the sets allow it (an idle set lies
//! within "has a date", a cutoff's deactivations within "known
//! deactivation time"), so no intermediate whole-directory set is made
//! (issue 19). This test states each basis plainly, per user, from the
//! index's accessors, and compares on random directories (with and without
//! extra activity signals), random counted signals and random policies of
//! every scheduled kind.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::prelude::*;
use roaring::RoaringBitmap;
use seatwarden_core::Millis;
use seatwarden_core::evaluate::evaluate;
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use seatwarden_core::plan::{ActionSource, Basis, Outcome};
use serde_json::json;

#[path = "support/random_policies.rs"]
mod random_policies;
use random_policies::*;

/// The users of `index` matching `basis` at `threshold` days for policy `p`
/// as evaluated in `outcome` (its counted signals), by definition.
fn by_definition(
    index: &DirectoryIndex,
    p: &P,
    outcome: &Outcome,
    basis: Basis,
    threshold: u32,
    once_window_ms: i64,
) -> RoaringBitmap {
    let now = Millis(NOW);
    let cutoff = now.minus_days(threshold);
    let team = index.group_ord("team");
    (0..u32::try_from(index.user_count()).unwrap())
        .filter(|&i| {
            let u = UserIdx(i);
            let in_scope = if p.kind == 4 {
                !index.is_active(u)
            } else {
                index.is_active(u)
            } && (!p.only_team
                || team.is_some_and(|g| index.group_ords_of(u).contains(&g)));
            if !in_scope {
                return false;
            }
            let last = index.last_activity(u, outcome.signals);
            let once = match index.login_count(u) {
                Some(c) => c == 1,
                None => index
                    .last_login(u)
                    .is_some_and(|l| l.0.saturating_sub(index.created(u).0) <= once_window_ms),
            };
            match basis {
                Basis::Inactive => last.is_some_and(|t| t <= cutoff) && !(p.once.is_some() && once),
                Basis::OnceLoggedIn => once && last.is_some_and(|t| t <= cutoff),
                Basis::NeverLoggedIn => last.is_none() && index.created(u) <= cutoff,
                Basis::Deactivated => index.deactivated_at(u).is_some_and(|t| t <= cutoff),
                Basis::Selected => false,
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_matched_set_is_its_condition_user_by_user(
        users in prop::collection::vec(user_strategy(), 1..60),
        policies in prop::collection::vec(policy_with_signals(), 1..6),
        signals in any::<bool>(),
        activity in activity_strategy(),
    ) {
        let index = directory(&users, signals);
        let config = if signals {
            config_counting(&policies, &activity)
        } else {
            config_counting(&policies, &json!({"login": true}))
        };
        let window = i64::from(config.settings.once_logged_in_window_hours) * 3_600_000;
        let plan = evaluate(&config, &index, Millis(NOW), &ctx());
        for outcome in &plan.outcomes {
            let ActionSource::Policy { id } = &outcome.source else {
                panic!("a policy's outcome");
            };
            let i: usize = id.0.trim_start_matches('p').parse().unwrap();
            let p = &policies[i];
            let bases: Vec<Basis> = outcome.matched.iter().map(|m| m.basis).collect();
            let expected: Vec<Basis> = if p.kind == 4 {
                vec![Basis::Deactivated]
            } else if outcome.signals == 0 {
                Vec::new()
            } else {
                [
                    Some(Basis::Inactive),
                    p.once.map(|_| Basis::OnceLoggedIn),
                    p.never.map(|_| Basis::NeverLoggedIn),
                ]
                .into_iter()
                .flatten()
                .collect()
            };
            prop_assert_eq!(bases, expected, "policy {}", i);
            for m in &outcome.matched {
                let want = by_definition(&index, p, outcome, m.basis, m.threshold_days, window);
                prop_assert_eq!(&m.users, &want, "policy {} basis {:?}", i, m.basis);
            }
        }
    }
}
