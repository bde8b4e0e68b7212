//! Cloud's per-product last-active dates as the engine's `seen` signals: a
//! person still using one product is not idle, and reasons name the product.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{DAY, NOW, iso, org, start, user};
use seatwarden_cloud::fake::Credentials;
use seatwarden_cloud::wire::ProductAccess;
use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::index::{DirectoryIndex, UserIdx};
use seatwarden_service::host::read_snapshot;
use serde_json::json;

#[test]
fn a_user_active_only_in_confluence_is_not_a_candidate_and_reasons_name_products() {
    let mut confluence_only = user("conf", true, Some(200), &["staff"]);
    confluence_only.product_access.push(ProductAccess {
        key: Some("confluence".to_owned()),
        id: Some("confluence-site".to_owned()),
        last_active_timestamp: Some(iso(NOW - 5 * DAY)),
    });
    let idle = user("idle", true, Some(200), &["staff"]);
    let (_fake, host, _) = start(org(vec![confluence_only, idle], 10), Credentials::default());
    let snapshot = read_snapshot(&host, 100).unwrap();
    let index =
        DirectoryIndex::from_snapshot_json(&serde_json::to_vec(&snapshot).unwrap()).unwrap();
    let config = Config::from_value(json!({"version": 1, "policies": [{"id": "idle-90",
        "name": "Idle 90", "enabled": true, "mode": "safe", "priority": 0,
        "trigger": {"kind": "scheduler"}, "condition": {"kind": "inactive", "days": 90},
        "action": {"kind": "deactivate"}}]}))
    .unwrap();
    let plan = evaluate(
        &config,
        &index,
        seatwarden_core::Millis(NOW),
        &EvalContext::default(),
    );
    let actions = plan.actions(&index);
    let keys: Vec<&str> = actions.iter().map(|a| index.key(UserIdx(a.idx))).collect();
    assert_eq!(keys, ["idle"], "Confluence use keeps `conf` out");
    let reason = actions[0].reason.to_string();
    assert!(
        reason.starts_with("last active in Jira 2026-05-05; last active in Confluence never"),
        "{reason}"
    );
    assert!(!reason.contains("login"), "Cloud has no login: {reason}");
}
