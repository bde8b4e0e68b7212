//! Benchmarks of the directory index: build (JSON parse included), the
//! Users-tab query, dashboard figures, an in-place login, and memory.
//!
//! Budgets (DESIGN.md §9, one core, medians): query ≤ 1 ms at 100k and
//! ≤ 5 ms at 1M users; build incl. parse ≤ 0.15 s / ≤ 1.5 s; memory
//! ≤ 32 MB / ≤ 256 MB. The figures are printed next to their budget.

use seatwarden_core::dashboard::dashboard;
use seatwarden_core::index::{DirectoryIndex, UserChange, UserIdx};
use seatwarden_core::query::{
    Activity, Query, Search, SearchMode, SortField, SortOrder, StatusFilter,
};
use seatwarden_core::{DirectoryId, GroupName, Millis};
use seatwarden_demo::DemoOptions;
use serde_json::json;

use crate::bench::Harness;
use crate::cmd::support::CliError;

/// The Users-tab query the budget is about: five combined filters
/// (include groups, exclude group, directory, status, activity), a sort
/// and a page that is not the first.
fn five_filters() -> Query {
    Query {
        include_groups: vec![
            GroupName::from("jira-software-users"),
            GroupName::from("confluence-users"),
        ],
        exclude_groups: vec![GroupName::from("contractors")],
        directories: vec![DirectoryId(1)],
        status: StatusFilter::Active,
        activity: Activity::NotWithin { days: 90 },
        sort: SortField::LastLogin,
        order: SortOrder::Asc,
        page_size: 50,
        page: 3,
        ..Query::default()
    }
}

fn budget(users: usize, at_100k: f64, at_1m: f64) -> f64 {
    if users <= 100_000 { at_100k } else { at_1m }
}

/// Runs the index benchmarks at every size.
pub(crate) fn run(h: &mut Harness) -> Result<(), CliError> {
    for &users in &h.sizes.clone() {
        let options = DemoOptions {
            users,
            seed: h.seed,
            ..DemoOptions::default()
        };
        let snapshot = seatwarden_demo::generate(&options);
        let bytes = serde_json::to_vec(&snapshot)?;
        drop(snapshot);

        let mut built = None;
        let timing = h.time_n(if users > 200_000 { 3 } else { 7 }, || {
            built = Some(DirectoryIndex::from_snapshot_json(&bytes));
        });
        let index = built
            .ok_or_else(|| CliError::Engine("no index built".into()))?
            .map_err(CliError::engine)?;
        let memory = index.memory_bytes();
        h.report(
            "index.build_incl_parse",
            users,
            timing,
            json!({
                "budget_ms": budget(users, 150.0, 1500.0),
                "json_mb": bytes.len() as f64 / 1e6,
                "parse_mb_per_s": bytes.len() as f64 / 1e6 / timing.median.as_secs_f64(),
                "memory_mb": memory as f64 / 1e6,
                "memory_budget_mb": budget(users, 32.0, 256.0),
                "bytes_per_user": memory / users.max(1),
            }),
        );
        drop(bytes);

        let now = index.taken_at();
        let q = five_filters();
        let total = index.query(&q, now).map_err(CliError::engine)?.total;
        let timing = h.time(|| index.query(&q, now));
        h.report(
            "index.query.five_filters_sort_page",
            users,
            timing,
            json!({ "budget_ms": budget(users, 0.05, 0.5), "matches": total }),
        );

        let desc = Query {
            sort: SortField::Username,
            order: SortOrder::Desc,
            page: 1,
            page_size: 20,
            ..five_filters()
        };
        let timing = h.time(|| index.query(&desc, now));
        h.report(
            "index.query.five_filters_username_desc",
            users,
            timing,
            json!({ "budget_ms": budget(users, 1.0, 5.0) }),
        );

        // The Users-tab search box (issue 19): a needle that matches nothing,
        // one of 4+ characters with hits (budget 10 ms), and a 2-character
        // one with many hits (budget 50 ms), all over every active user.
        for (name, needle, budget_ms) in [
            ("index.query.substring_search", "smith", 10.0),
            ("index.query.search_with_hits", "rahman", 10.0),
            ("index.query.search_short_needle", "an", 50.0),
        ] {
            let search = Query {
                search: Some(Search {
                    text: needle.into(),
                    mode: SearchMode::Contains,
                }),
                status: StatusFilter::Active,
                ..Query::default()
            };
            let matches = index.query(&search, now).map_err(CliError::engine)?.total;
            let timing = h.time(|| index.query(&search, now));
            h.report(
                name,
                users,
                timing,
                json!({ "budget_ms": budget_ms, "needle": needle, "matches": matches }),
            );
        }

        let everyone = Query::default();
        let timing = h.time(|| index.query(&everyone, now));
        h.report(
            "index.query.unfiltered_first_page",
            users,
            timing,
            json!({}),
        );

        let timing = h.time(|| dashboard(&index, now, 30));
        h.report("index.dashboard_30_days", users, timing, json!({}));

        let mut index = index;
        let n = u32::try_from(index.user_count()).unwrap_or(u32::MAX).max(1);
        let mut step: u32 = 0;
        let mut at = now.0;
        let timing = h.time(|| {
            step = step.wrapping_add(7919) % n;
            at += 1;
            index.apply(UserIdx(step), &UserChange::LoginRecorded { at: Millis(at) })
        });
        h.report(
            "index.apply_login",
            users,
            timing,
            json!({ "note": "moves the user in the last-login order (memmove, O(n))" }),
        );
    }
    Ok(())
}
