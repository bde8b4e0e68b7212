//! Per-product dashboard insights over the fake Cloud (issue 20): one per
//! product, counting exactly whom the Users filter lists and whom the rule
//! "Take action" opens would act on, in the documented answer shape.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::{DAY, NOW, iso, org, start, user};
use seatwarden_cloud::fake::Credentials;
use seatwarden_cloud::wire::{CloudUser, ProductAccess};
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use serde_json::{Value, json};

fn call(service: &Service, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
    common::call_at(service, method, path, body, NOW)
}

/// Jira idle `jira` days ago and Confluence idle `confluence` days ago.
fn both(id: &str, jira: i64, confluence: Option<i64>) -> CloudUser {
    let mut u = user(id, true, Some(jira), &["staff"]);
    if let Some(days) = confluence {
        u.product_access.push(ProductAccess {
            key: Some("confluence".to_owned()),
            id: Some("confluence-site".to_owned()),
            last_active_timestamp: Some(iso(NOW - days * DAY)),
        });
    }
    u
}

fn total(service: &Service, filter: &Value) -> u64 {
    let (status, body) = call(
        service,
        Method::Get,
        &format!("/api/users?filter={filter}"),
        None,
    );
    assert_eq!(status, 200, "{body}");
    body["total"].as_u64().unwrap()
}

#[test]
fn each_product_insight_counts_whom_its_rule_and_the_users_filter_name() {
    let mut admin = both("org-admin", 1, Some(100));
    admin.platform_roles = vec!["atlassian/org-admin".to_owned()];
    let users = vec![
        admin,
        // Busy in Jira, idle in Confluence for 90 days.
        both("wiki-idle-1", 2, Some(90)),
        both("wiki-idle-2", 3, Some(61)),
        // Busy in both.
        both("busy", 1, Some(1)),
        // Idle in Jira, busy in Confluence.
        both("jira-idle", 80, Some(5)),
        // Never in Confluence: inactive there too.
        both("jira-only", 4, None),
    ];
    let (fake, _, _) = start(org(users, 100), Credentials::default());
    let service = common::service(&fake);

    let (status, answer) = call(&service, Method::Get, "/api/insights/products", None);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["days"], json!(60));
    let by_product = |key: &str| {
        answer["insights"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["product"] == json!(key))
            .cloned()
            .unwrap_or_else(|| panic!("no {key} insight in {answer}"))
    };
    let confluence = by_product("confluence");
    // org-admin, wiki-idle-1 and wiki-idle-2; not jira-only, who never
    // used Confluence (an `inactive` rule does not act on them either).
    assert_eq!(confluence["users"], json!(3), "{confluence}");
    assert_eq!(
        confluence["message"],
        json!("3 users inactive in Confluence ≥ 60 days")
    );
    let jira = by_product("jira-software");
    assert_eq!(jira["users"], json!(1), "{jira}");

    // The Users tab's filter "inactive for at least 60 days" in that
    // product, less its "no activity recorded" there.
    for (insight, key) in [(&confluence, "confluence"), (&jira, "jira-software")] {
        let filter = |activity: Value| json!({"status": "active", "activity": activity, "signals": [format!("seen:{key}")]});
        let idle = total(&service, &filter(json!({"kind": "notWithin", "days": 60})));
        let never = total(&service, &filter(json!({"kind": "never"})));
        assert_eq!(json!(idle - never), insight["users"], "{key}");
    }
    assert_eq!(
        total(
            &service,
            &json!({"status": "active", "activity": {"kind": "never"}, "signals": ["seen:confluence"]})
        ),
        1,
        "jira-only is listed as never active in Confluence"
    );

    // "Take action": the suggested rule, saved as it comes, previews the
    // same users (the org admin protected, the rest suspended).
    let mut rule = confluence["suggestedPolicy"].clone();
    assert_eq!(rule["signals"], json!(["seen:confluence"]));
    assert_eq!(rule["mode"], json!("safe"));
    rule["configVersion"] = json!(service.settings().version.0);
    let (status, created) = call(&service, Method::Post, "/api/policies", Some(rule));
    assert_eq!(status, 201, "{created}");
    let id = created["policy"]["id"].as_str().unwrap();
    let (status, preview) = call(
        &service,
        Method::Post,
        &format!("/api/policies/{id}/preview"),
        None,
    );
    assert_eq!(status, 200, "{preview}");
    let source = &preview["document"]["totals"]["bySource"][id];
    assert_eq!(source["matched"], confluence["users"], "{preview}");
    assert_eq!(source["operations"]["suspend"], json!(2), "{preview}");

    // The answer is the documented one.
    let doc: Value = serde_json::from_str(seatwarden_service::api::routes::OPENAPI).unwrap();
    let mut root = doc.clone();
    root["$ref"] = json!("#/components/schemas/GetProductInsightsResponse");
    let validator = jsonschema::draft202012::new(&root).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&answer)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert_eq!(errors, Vec::<String>::new());

    // A threshold out of range is refused in words.
    let (status, body) = call(&service, Method::Get, "/api/insights/products?days=0", None);
    assert_eq!(status, 400, "{body}");
}
