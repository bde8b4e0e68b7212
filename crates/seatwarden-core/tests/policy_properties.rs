//! Property tests of the policy engine's invariants:
//! - a protected user, a sysadmin or the acting admin never gets an action;
//! - safe and live plans are identical apart from the mode;
//! - raising a threshold never adds users;
//! - the plan hash changes exactly when the planned writes change;
//! - the forecast's day 0 is the plan of now, its day *d* (no warnings) the
//!   plan of `now + d`, its upper bound monotone; a what-if with the saved
//!   policy is that policy's preview. These also run on directories with
//!   several activity signals (`lastAuthenticated`, per-product `seen`),
//!   random counted signals in the settings and per policy, and exemptions
//!   that lapse inside the forecast's horizon (the plan of day *d* skips the
//!   users still exempt then, so the forecast must too).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use seatwarden_core::Millis;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::forecast::{HORIZON_DAYS, forecast, freed_by_plan, what_if};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::{Plan, PlanOrder, reference};
use seatwarden_core::policy::{Condition, Mode};

#[path = "support/random_policies.rs"]
mod random_policies;
use random_policies::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn protected_users_sysadmins_and_the_acting_admin_never_get_an_action(
        users in prop::collection::vec(user_strategy(), 1..40),
        policies in prop::collection::vec(policy_strategy(), 1..5),
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let plan = evaluate(&config(&policies), &index, Millis(NOW), &ctx());
        for a in plan.actions(&index) {
            let key = a.operation.user().unwrap().as_str().to_owned();
            let i: usize = key[1..].parse().unwrap();
            let u = &users[i];
            prop_assert!(u.groups & 1 == 0, "protected user {key} got {:?}", a.operation);
            prop_assert!(!u.sysadmin, "sysadmin {key} got {:?}", a.operation);
            prop_assert!(i != 0, "the acting admin got {:?}", a.operation);
        }
    }

    #[test]
    fn paged_rendering_agrees_with_the_whole_sorted_list(
        users in prop::collection::vec(user_strategy(), 1..60),
        policies in prop::collection::vec(policy_strategy(), 1..5),
        stride in 1usize..8,
        preview in any::<bool>(),
    ) {
        // Keys out of index order (7 is coprime with 1000: all distinct).
        let json = snapshot_keyed(&users, |i| format!("K{:03}", (i * 7 + 3) % 1000));
        let index = DirectoryIndex::from_snapshot_json(&json).unwrap();
        let ctx = EvalContext { preview, ..ctx() };
        let plan = evaluate(&config(&policies), &index, Millis(NOW), &ctx);
        let whole = reference::actions(&plan, &index);
        let order = PlanOrder::new(&plan, &index);
        prop_assert_eq!(order.action_count(), whole.len() as u64);
        prop_assert_eq!(order.hash(), reference::hash(&whole));
        prop_assert_eq!(order.totals(), &reference::totals(&plan, &whole));
        // The counts without writes are the totals' counts.
        let mut counted = reference::totals(&plan, &whole).by_source;
        for t in counted.values_mut() {
            t.operations.clear();
        }
        prop_assert_eq!(plan.source_totals(), counted);
        prop_assert_eq!(&plan.actions(&index), &whole);
        prop_assert_eq!(plan.skips(&index), reference::skips(&plan, &index));
        let mut paged = Vec::new();
        loop {
            let page = order.actions_page(&plan, &index, paged.len() as u64, stride);
            prop_assert!(page.len() <= stride);
            if page.is_empty() {
                break;
            }
            paged.extend(page);
        }
        prop_assert_eq!(&paged, &whole);
        let skips = reference::skips(&plan, &index);
        let mut paged_skips = Vec::new();
        while paged_skips.len() < order.skip_count() {
            paged_skips.extend(order.skips_page(&plan, &index, paged_skips.len(), stride));
        }
        prop_assert_eq!(&paged_skips, &skips);
        let by_reason: u64 = PlanOrder::skip_totals(&plan).iter().map(|t| t.users).sum();
        prop_assert_eq!(by_reason, skips.len() as u64);
    }

    #[test]
    fn safe_and_live_plans_are_identical_apart_from_the_mode(
        users in prop::collection::vec(user_strategy(), 1..40),
        policies in prop::collection::vec(policy_strategy(), 1..5),
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let safe: Vec<P> = policies.iter().map(|p| P { live: false, ..*p }).collect();
        let live: Vec<P> = policies.iter().map(|p| P { live: true, ..*p }).collect();
        let a = evaluate(&config(&safe), &index, Millis(NOW), &ctx());
        let b = evaluate(&config(&live), &index, Millis(NOW), &ctx());
        prop_assert_eq!(a.mode(), seatwarden_core::plan::PlanMode::Preview);
        prop_assert_eq!(b.mode(), seatwarden_core::plan::PlanMode::Live);
        let strip = |plan: &Plan| -> Vec<_> {
            plan.actions(&index).into_iter().map(|x| (x.operation, x.source, x.reason)).collect()
        };
        prop_assert!(a.actions(&index).iter().all(|x| x.mode == Mode::Safe));
        prop_assert!(b.actions(&index).iter().all(|x| x.mode == Mode::Live));
        prop_assert_eq!(strip(&a), strip(&b));
        prop_assert_eq!(a.skips(&index), b.skips(&index));
        prop_assert_eq!(&a.warnings, &b.warnings);
        prop_assert_eq!(&a.guard, &b.guard);
        prop_assert_eq!(&a.health, &b.health);
        prop_assert_eq!(a.hash(&index), b.hash(&index));
        prop_assert_eq!(a.totals(&index), b.totals(&index));
    }

    #[test]
    fn raising_a_threshold_never_adds_users(
        users in prop::collection::vec(user_strategy(), 1..40),
        p in policy_strategy(),
        raise in 0u32..100,
        raise_never in 0u32..100,
        raise_once in 0u32..100,
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let higher = P {
            days: p.days + raise,
            never: p.never.map(|d| d + raise_never),
            once: p.once.map(|d| d + raise_once),
            ..p.clone()
        };
        let low = evaluate(&config(std::slice::from_ref(&p)), &index, Millis(NOW), &ctx());
        let high = evaluate(&config(&[higher]), &index, Millis(NOW), &ctx());
        let extra = acted(&high) - acted(&low);
        prop_assert!(extra.is_empty(), "raising thresholds added {:?}", extra);
    }

    #[test]
    fn the_hash_changes_exactly_when_the_writes_change(
        users in prop::collection::vec(user_strategy(), 1..30),
        a in prop::collection::vec(policy_strategy(), 1..3),
        b in prop::collection::vec(policy_strategy(), 1..3),
    ) {
        let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
        let pa = evaluate(&config(&a), &index, Millis(NOW), &ctx());
        let pb = evaluate(&config(&b), &index, Millis(NOW), &ctx());
        let writes = |plan: &Plan| -> Vec<_> {
            plan.actions(&index).into_iter().map(|x| (x.source, x.operation)).collect()
        };
        let same_writes = writes(&pa) == writes(&pb);
        prop_assert_eq!(same_writes, pa.hash(&index) == pb.hash(&index));
        // Re-evaluating gives the same plan and hash (determinism).
        let again = evaluate(&config(&a), &index, Millis(NOW), &ctx());
        prop_assert_eq!(pa.hash(&index), again.hash(&index));
    }
}

/// An active user idle `idle` days (logged in five times), in groups `groups`.
fn idle_user(idle: i64, groups: u8) -> U {
    U {
        active: true,
        last_login_days: Some(idle),
        created_days: 500,
        login_count: Some(5),
        deactivated_days: None,
        groups,
        read_only_dir: false,
        sysadmin: false,
        activity: [None; 3],
    }
}

/// A live "deactivate after `days` idle" policy, nothing else set.
fn live_deactivate(days: u32) -> P {
    P {
        kind: 5,
        days,
        never: None,
        once: None,
        priority: 0,
        live: true,
        membership_only: false,
        only_team: false,
        warn: None,
        signals: None,
    }
}

#[test]
fn dropping_one_write_changes_the_hash() {
    let users: Vec<U> = (0..6).map(|i| idle_user(100 + i, 0b0010)).collect();
    let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
    let p = live_deactivate(30);
    let mut plan = evaluate(&config(&[p]), &index, Millis(NOW), &EvalContext::default());
    let before = plan.hash(&index);
    assert_eq!(plan.actions(&index).len(), 6);
    plan.outcomes[0].account_users.remove(3);
    assert_eq!(plan.actions(&index).len(), 5);
    assert_ne!(plan.hash(&index), before);
}

fn seats(f: &seatwarden_core::forecast::Forecast, day: usize) -> Vec<u64> {
    f.applications.iter().map(|a| a.upper[day]).collect()
}

fn freed(plan: &Plan, index: &DirectoryIndex) -> Vec<u64> {
    freed_by_plan(plan, index).iter().map(|s| s.seats).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_forecast_at_day_zero_equals_the_plan_of_now(
        users in prop::collection::vec(user_strategy(), 1..40),
        policies in prop::collection::vec(policy_with_signals(), 1..5),
        signals in any::<bool>(),
        activity in activity_strategy(),
        exemptions in prop::collection::vec(exemption_strategy(), 0..12),
        offset in 0i64..DAY,
    ) {
        // An instant between whole days of the data: crossings round up.
        let now = Millis(NOW + offset);
        let index = directory(&users, signals);
        let config = config_counting(&policies, &activity);
        let ctx = ctx_exempting(&exemptions, users.len());
        let f = forecast(&config, &index, now, HORIZON_DAYS, &ctx, Some(0.4));
        let plan = evaluate(&config, &index, now, &ctx);
        prop_assert_eq!(seats(&f, 0), freed(&plan, &index));
        for a in &f.applications {
            prop_assert!(a.upper.windows(2).all(|w| w[0] <= w[1]), "upper not monotone: {:?}", a.upper);
            let likely = a.likely.as_ref().unwrap();
            prop_assert_eq!(likely[0], a.upper[0]);
            prop_assert!(likely.iter().zip(&a.upper).all(|(l, u)| l <= u));
            prop_assert!(likely.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn the_forecast_at_day_d_equals_the_plan_of_that_day(
        users in prop::collection::vec(user_strategy(), 1..40),
        policies in prop::collection::vec(policy_with_signals(), 1..5),
        signals in any::<bool>(),
        activity in activity_strategy(),
        exemptions in prop::collection::vec(exemption_strategy(), 0..12),
        offset in 0i64..DAY,
    ) {
        // Without warnings nothing but the instant changes between the plans
        // (exemptions lapse with the instant, as they do in a real run).
        let policies: Vec<P> = policies.into_iter().map(|p| P { warn: None, ..p }).collect();
        let now = Millis(NOW + offset);
        let index = directory(&users, signals);
        let config = config_counting(&policies, &activity);
        let ctx = ctx_exempting(&exemptions, users.len());
        let f = forecast(&config, &index, now, HORIZON_DAYS, &ctx, None);
        for day in 0..=HORIZON_DAYS {
            let plan = evaluate(&config, &index, now.plus_days(day), &ctx);
            prop_assert_eq!(seats(&f, day as usize), freed(&plan, &index), "day {}", day);
        }
    }

    #[test]
    fn a_what_if_with_the_saved_threshold_equals_the_policys_preview(
        users in prop::collection::vec(user_strategy(), 1..40),
        policies in prop::collection::vec(policy_with_signals(), 1..4),
        signals in any::<bool>(),
        activity in activity_strategy(),
        exemptions in prop::collection::vec(exemption_strategy(), 0..12),
        pick in 0usize..4,
        raise in 1u32..60,
    ) {
        let index = directory(&users, signals);
        let config = config_counting(&policies, &activity);
        let ctx = ctx_exempting(&exemptions, users.len());
        let saved = config.policies[pick % config.policies.len()].clone();
        let answer = what_if(&config, &index, Millis(NOW), &ctx, &saved);
        let preview = evaluate(&config, &index, Millis(NOW), &EvalContext {
            only: Some(vec![saved.id.clone()]),
            preview: true,
            ..ctx.clone()
        });
        let now: Vec<u64> = answer.applications.iter().map(|a| a.draft_now).collect();
        prop_assert_eq!(now, freed(&preview, &index));
        prop_assert_eq!(answer.delta_now, 0);
        prop_assert_eq!(answer.delta_later, 0);
        // A higher threshold never frees more, now or later.
        if let Condition::Inactive(mut inactive) = saved.condition {
            inactive.days += raise;
            let mut higher = saved.clone();
            higher.condition = Condition::Inactive(inactive);
            if let Some(w) = &mut higher.warning {
                w.days_before = w.days_before.min(inactive.days - 1);
            }
            let answer = what_if(&config, &index, Millis(NOW), &ctx, &higher);
            prop_assert!(answer.delta_now <= 0 && answer.delta_later <= 0, "{:?}", answer);
        }
    }
}

#[test]
fn the_forecast_counts_each_seat_on_the_day_its_holder_crosses() {
    let user = idle_user;
    // Licence `a` is granted by `licensed-a` (0b0010) or `licensed-b`
    // (0b0100); `b` by `licensed-b`. User 0 is the acting admin.
    let users = vec![
        user(400, 0b0010),
        user(95, 0b0010),
        user(85, 0b0010),
        user(80, 0b0110),
        user(10, 0b0010),
    ];
    let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
    let deactivate = live_deactivate(90);
    let f = forecast(
        &config(std::slice::from_ref(&deactivate)),
        &index,
        Millis(NOW),
        90,
        &ctx(),
        None,
    );
    let a = &f.applications[0].upper;
    let b = &f.applications[1].upper;
    assert_eq!(
        (a[0], a[4], a[5], a[9], a[10], a[79], a[80]),
        (1, 1, 2, 2, 3, 3, 4)
    );
    assert_eq!((b[9], b[10]), (0, 1));
    // Removing `licensed-a` alone leaves user 3 their seat of `a` through
    // `licensed-b`: only users 1, 2 and 4 lose it.
    let revoke = P {
        kind: 1,
        ..deactivate.clone()
    };
    let f = forecast(&config(&[revoke]), &index, Millis(NOW), 90, &ctx(), None);
    assert_eq!(f.applications[0].upper[90], 3);
    assert_eq!(f.applications[1].upper[90], 0);
    // A warning of 7 days not yet sent: nobody before day 7.
    let warned = P {
        warn: Some(7),
        ..deactivate
    };
    let f = forecast(&config(&[warned]), &index, Millis(NOW), 90, &ctx(), None);
    let a = &f.applications[0].upper;
    assert_eq!((a[0], a[6], a[7], a[10]), (0, 0, 2, 3));
}

#[test]
fn an_exemption_lapsing_inside_the_horizon_frees_the_seat_from_its_last_day_on() {
    // Every user is idle 400 days; user 0 is the acting admin (never acted
    // on). User 1 is exempt from every policy until 20 days and 5 hours from
    // now; user 2 from another policy only; user 3 beyond the horizon.
    let users: Vec<U> = (0..4).map(|_| idle_user(400, 0b0010)).collect();
    let index = DirectoryIndex::from_snapshot_json(&snapshot(&users)).unwrap();
    let x = |user, policy, days: i64| X {
        user,
        policy,
        until: Some(days * DAY + 5 * 3_600_000),
    };
    let ctx = ctx_exempting(&[x(1, None, 20), x(2, Some(4), 20), x(3, None, 100)], 4);
    let deactivate = live_deactivate(90);
    let f = forecast(
        &config(std::slice::from_ref(&deactivate)),
        &index,
        Millis(NOW),
        90,
        &ctx,
        None,
    );
    let a = &f.applications[0].upper;
    // Day 0: user 2 alone. User 1's exemption still holds at the instant of
    // day 20 (it ends 5 hours later), so the plan of day 21 is the first to
    // act on them; user 3 stays exempt.
    assert_eq!((a[0], a[20], a[21], a[90]), (1, 1, 2, 2));
    for (day, want) in [(0u32, 1u64), (20, 1), (21, 2)] {
        let plan = evaluate(
            &config(std::slice::from_ref(&deactivate)),
            &index,
            Millis(NOW).plus_days(day),
            &ctx,
        );
        assert_eq!(freed(&plan, &index)[0], want, "day {day}");
    }
    // Warned 7 days before: user 1 is warned once the exemption lapsed and
    // acted on 7 days later (day 28); user 2 from day 7.
    let warned = P {
        warn: Some(7),
        ..deactivate
    };
    let f = forecast(&config(&[warned]), &index, Millis(NOW), 90, &ctx, None);
    let a = &f.applications[0].upper;
    assert_eq!((a[6], a[7], a[27], a[28]), (0, 1, 1, 2));
}
