//! Benchmarks of the policy engine: a nightly plan with 20 policies, and
//! the login hook's evaluation.
//!
//! Budgets (DESIGN.md §9, one core): plan with 20 policies ≤ 2 ms at 100k
//! and ≤ 10 ms at 1M users (median); login evaluation p99 ≤ 10 µs (engine
//! only; JNI and host writes excluded). Rendering the plan (per-user writes,
//! reasons, hash) is measured separately, ≤ 80 ms at 1M and linear (issue
//! 19): it runs only when someone looks.

use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use seatwarden_core::login::LoginEvaluator;
use seatwarden_demo::DemoOptions;
use serde_json::{Value, json};

use crate::bench::Harness;
use crate::cmd::support::CliError;

fn scheduled(id: &str, condition: Value, action: Value, scope: Value) -> Value {
    json!({"id": id, "mode": "safe", "condition": condition, "action": action, "scope": scope})
}

/// Twenty scheduled policies of every kind, thresholds from a realistic set,
/// plus two login policies.
pub(crate) fn bench_config() -> Result<Config, CliError> {
    let inactive = |days: u32| json!({"kind": "inactive", "days": days});
    let with_never =
        |days: u32| json!({"kind": "inactive", "days": days, "neverLoggedInDays": days});
    let with_once = |days: u32| json!({"kind": "inactive", "days": days, "onceLoggedInDays": 14});
    let deactivated = |days: u32| json!({"kind": "deactivated", "days": days});
    let deactivate = json!({"kind": "deactivate", "renameSuffix": "_deactivated"});
    let none = json!({});
    let exclude = json!({"excludeGroups": ["support-staff", "service-accounts"]});
    let only = |g: &str| json!({"target": {"kind": "only_groups", "groups": [g]}});
    let policies = vec![
        scheduled(
            "deactivate-30",
            with_never(30),
            deactivate.clone(),
            exclude.clone(),
        ),
        scheduled(
            "deactivate-45",
            inactive(45),
            deactivate.clone(),
            exclude.clone(),
        ),
        scheduled(
            "deactivate-60",
            with_once(60),
            deactivate.clone(),
            none.clone(),
        ),
        scheduled(
            "deactivate-90",
            inactive(90),
            json!({"kind": "deactivate", "handover": {"to": "project_lead"}}),
            none.clone(),
        ),
        scheduled(
            "deactivate-180",
            with_never(180),
            deactivate.clone(),
            none.clone(),
        ),
        scheduled(
            "deactivate-dir1",
            inactive(90),
            deactivate.clone(),
            json!({"directories": {"kind": "only", "ids": [1]}}),
        ),
        scheduled(
            "deactivate-interns",
            inactive(30),
            deactivate.clone(),
            only("interns"),
        ),
        scheduled(
            "deactivate-contractors",
            with_never(45),
            deactivate.clone(),
            only("contractors"),
        ),
        scheduled("deactivate-sales", inactive(60), deactivate, only("sales")),
        scheduled(
            "revoke-contractors",
            with_never(45),
            json!({"kind": "remove_groups", "groups": ["contractors"]}),
            only("contractors"),
        ),
        scheduled(
            "revoke-servicedesk",
            inactive(60),
            json!({"kind": "remove_groups", "groups": ["jira-servicedesk-users"]}),
            exclude.clone(),
        ),
        scheduled(
            "revoke-confluence",
            inactive(90),
            json!({"kind": "remove_groups", "groups": ["confluence-users"]}),
            none.clone(),
        ),
        scheduled(
            "tag-review",
            inactive(60),
            json!({"kind": "add_groups", "groups": ["review-required"]}),
            none.clone(),
        ),
        scheduled(
            "tag-temp",
            with_never(30),
            json!({"kind": "add_groups", "groups": ["temp-access"]}),
            only("interns"),
        ),
        scheduled(
            "suspend-60",
            inactive(60),
            json!({"kind": "remove_licence_groups"}),
            json!({"excludeGroups": ["jira-administrators"]}),
        ),
        scheduled(
            "suspend-software-90",
            inactive(90),
            json!({"kind": "remove_licence_groups", "applications": ["jira-software"]}),
            none.clone(),
        ),
        scheduled(
            "suspend-confluence-180",
            with_never(180),
            json!({"kind": "remove_licence_groups", "applications": ["confluence"]}),
            none.clone(),
        ),
        scheduled(
            "delete-30",
            deactivated(30),
            json!({"kind": "delete"}),
            exclude,
        ),
        scheduled(
            "delete-90",
            deactivated(90),
            json!({"kind": "delete"}),
            none.clone(),
        ),
        scheduled(
            "delete-180",
            deactivated(180),
            json!({"kind": "delete"}),
            none,
        ),
        json!({"id": "reactivate", "action": {"kind": "reactivate", "restrictedGroups": ["contractors"],
               "addGroups": ["jira-developers"], "removeGroups": ["temp-access"]}}),
        json!({"id": "floating", "action": {"kind": "floating_licence", "rules": [
               {"sourceGroups": ["marketing"], "targetGroups": ["jira-software-users"]},
               {"sourceGroups": ["support"], "targetGroups": ["jira-servicedesk-users"]}]}}),
    ];
    let doc = json!({"version": 1, "settings": {"protectedGroups": ["jira-system-administrators"]}, "policies": policies});
    Config::from_value(doc).map_err(CliError::engine)
}

/// The benchmark's demo organisation of `users` users, and its index.
pub(crate) fn demo_index(
    h: &Harness,
    users: usize,
) -> Result<(seatwarden_core::snapshot::SnapshotFile, DirectoryIndex), CliError> {
    let options = DemoOptions {
        users,
        seed: h.seed,
        ..DemoOptions::default()
    };
    let demo = seatwarden_demo::generate(&options);
    let bytes = serde_json::to_vec(&demo)?;
    let index = DirectoryIndex::from_snapshot_json(&bytes).map_err(CliError::engine)?;
    Ok((demo, index))
}

fn budget(users: usize, at_100k: f64, at_1m: f64) -> f64 {
    if users <= 100_000 { at_100k } else { at_1m }
}

/// The same 20 policies over the same directory carrying two more activity
/// signals (`lastAuthenticated`, and `seen` warming up), against the login-only
/// index: the cost of multi-signal inactivity, in time and bytes per user.
fn signals_plan(
    h: &Harness,
    config: &Config,
    login_only: &DirectoryIndex,
    mut demo: seatwarden_core::snapshot::SnapshotFile,
    users: usize,
) -> Result<(), CliError> {
    use seatwarden_core::activity::{ActivityValues, SignalDecl, SignalKind};
    let taken = demo.header.taken_at.0;
    let day = seatwarden_core::time::DAY_MS;
    demo.header.signals = vec![
        SignalDecl::whole_product(SignalKind::LastAuthenticated, None),
        SignalDecl::whole_product(
            SignalKind::Seen,
            Some(seatwarden_core::Millis(taken - 60 * day)),
        ),
    ];
    let mut n: i64 = 0;
    for u in demo.pages.iter_mut().flat_map(|p| p.users.iter_mut()) {
        n += 1;
        let mut values = ActivityValues::EMPTY;
        // Half authenticate a little after their last login; a third were seen recently.
        values.push(
            u.last_login
                .filter(|_| n % 2 == 0)
                .map(|t| (t + day).min(taken)),
        );
        values.push((n % 3 == 0).then_some(taken - (n % 50) * day));
        u.activity = values;
    }
    let bytes = serde_json::to_vec(&demo)?;
    let index = DirectoryIndex::from_snapshot_json(&bytes).map_err(CliError::engine)?;
    let now = index.taken_at();
    let ctx = EvalContext::default();
    let timing = h.time(|| evaluate(config, &index, now, &ctx));
    let per_user = |i: &DirectoryIndex| i.memory_bytes() as f64 / users.max(1) as f64;
    h.report(
        "policy.plan_20_policies_3_signals",
        users,
        timing,
        json!({"policies": 20, "signals": 3,
               "bytes_per_user": per_user(&index),
               "bytes_per_user_login_only": per_user(login_only)}),
    );
    Ok(())
}

/// Runs the policy benchmarks at every size.
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    let config = bench_config()?;
    for &users in &h.sizes.clone() {
        let (demo, index) = demo_index(h, users)?;
        signals_plan(h, &config, &index, demo, users)?;
        let now = index.taken_at();
        let ctx = EvalContext::default();

        let timing = h.time(|| evaluate(&config, &index, now, &ctx));
        let plan = evaluate(&config, &index, now, &ctx);
        let acted: u64 = plan.outcomes.iter().map(|o| o.acted_on().len()).sum();
        h.report(
            "policy.plan_20_policies",
            users,
            timing,
            json!({"budget_ms": budget(users, 2.0, 10.0), "policies": 20, "acted_on": acted}),
        );

        let mut actions = 0usize;
        let timing = h.time_n(if users > 200_000 { 3 } else { 5 }, || {
            let a = plan.actions(&index);
            actions = a.len();
            a
        });
        h.report(
            "policy.plan_render_actions",
            users,
            timing,
            json!({"actions": actions, "budget_ms": budget(users, 8.0, 80.0), "note": "explicit writes + reasons, on demand"}),
        );

        let login = LoginEvaluator::new(&config, &index, None);
        let n = u32::try_from(index.user_count()).unwrap_or(u32::MAX).max(1);
        let mut next: u32 = 0;
        let timing = h.time(|| {
            // A stride through the directory: different users, groups, states.
            next = next.wrapping_add(7919) % n;
            login.evaluate(&index, UserIdx(next), now)
        });
        h.report(
            "policy.login_evaluation",
            users,
            timing,
            json!({"budget_p99_us": 10.0, "p99_us": timing.p99.as_secs_f64() * 1e6}),
        );
    }
    Ok(())
}
