//! Invalid configuration documents: every problem is reported with its path,
//! and the whole document is rejected.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use seatwarden_core::config::{CONFIG_VERSION, Config, ConfigError};
use serde_json::{Value, json};

/// The issues of an invalid document, as `path: message` lines.
fn issues(doc: Value) -> Vec<String> {
    match Config::from_value(doc) {
        Ok(_) => panic!("the document was accepted"),
        Err(e) => e.issues().iter().map(ToString::to_string).collect(),
    }
}

fn policy(extra: Value) -> Value {
    let mut p = json!({
        "id": "p",
        "condition": {"kind": "inactive", "days": 30},
        "action": {"kind": "deactivate"}
    });
    for (k, v) in extra.as_object().unwrap() {
        p[k] = v.clone();
    }
    p
}

fn with_policies(policies: Vec<Value>) -> Value {
    json!({"version": 1, "policies": policies})
}

#[test]
fn zero_days_is_reported_at_its_exact_path() {
    let doc = with_policies(vec![
        policy(json!({"id": "a"})),
        policy(json!({"id": "b"})),
        policy(json!({"id": "c", "condition": {"kind": "inactive", "days": 0}})),
    ]);
    assert_eq!(issues(doc), vec!["policies[2].condition.days: must be ≥ 1"]);
}

#[test]
fn every_problem_is_reported_not_just_the_first() {
    let doc = json!({
        "version": 1,
        "settings": {"timezone": "Mars/Olympus", "schedulerAt": "25:00", "colour": "blue"},
        "policies": [
            policy(json!({"id": "same"})),
            policy(json!({"id": "same", "mode": "turbo"})),
            policy(json!({"id": "x", "condition": {"kind": "inactive", "days": "thirty"}, "enabled": "yes"}))
        ]
    });
    assert_eq!(
        issues(doc),
        vec![
            "settings.timezone: `Mars/Olympus` is not an IANA timezone",
            "settings.schedulerAt: `25:00` is not a time HH:MM (00:00–23:59)",
            "settings.colour: unknown field",
            "policies[1].mode: `turbo` is not one of `safe`, `review`, `live`",
            "policies[2].enabled: must be true or false",
            "policies[2].condition.days: must be a whole number",
        ]
    );
}

#[test]
fn duplicate_ids_name_the_first_use() {
    let doc = with_policies(vec![
        policy(json!({"id": "dup"})),
        policy(json!({"id": "dup"})),
    ]);
    assert_eq!(
        issues(doc),
        vec!["policies[1].id: `dup` is already used by policies[0]"]
    );
}

#[test]
fn missing_and_malformed_ids_and_actions() {
    let doc = with_policies(vec![
        json!({"condition": {"kind": "inactive", "days": 30}}),
        json!({"id": "has space", "action": {"kind": "explode"}}),
    ]);
    assert_eq!(
        issues(doc),
        vec![
            "policies[0].id: is required",
            "policies[0].action: is required",
            "policies[1].id: must be 1–64 characters of letters, digits, `-`, `_` or `.`",
            "policies[1].action.kind: `explode` is not one of `deactivate`, `suspend`, `remove_groups`, `remove_licence_groups`, `add_groups`, `delete`, `floating_licence`, `reactivate`",
        ]
    );
}

#[test]
fn login_actions_need_a_login_trigger_and_condition() {
    let doc = with_policies(vec![
        policy(json!({"trigger": {"kind": "login"}})),
        json!({"id": "r", "trigger": {"kind": "scheduler"}, "condition": {"kind": "login"},
               "action": {"kind": "reactivate"}}),
    ]);
    assert_eq!(
        issues(doc),
        vec![
            "policies[0].trigger.kind: `deactivate` runs on a schedule, not at login",
            "policies[1].trigger.kind: `reactivate` runs at login, not on a schedule",
        ]
    );
}

#[test]
fn delete_needs_a_deactivated_condition() {
    let doc = with_policies(vec![policy(json!({"action": {"kind": "delete"}}))]);
    assert_eq!(
        issues(doc),
        vec!["policies[0].condition.kind: `delete` needs condition `deactivated`"]
    );
    let doc = with_policies(vec![policy(json!({
        "condition": {"kind": "deactivated", "days": 10}
    }))]);
    assert_eq!(
        issues(doc),
        vec!["policies[0].condition.kind: `deactivate` needs condition `inactive`"]
    );
}

#[test]
fn warnings_must_come_before_the_action() {
    let doc = with_policies(vec![
        policy(json!({"warning": {"daysBefore": 30}})),
        policy(json!({"id": "q", "warning": {"daysBefore": 7, "neverLoggedIn": true}})),
        policy(json!({"id": "r", "warning": {}})),
    ]);
    assert_eq!(
        issues(doc),
        vec![
            "policies[0].warning.daysBefore: must be less than the condition's 30 days",
            "policies[1].warning.neverLoggedIn: the condition does not include never-logged-in users",
            "policies[2].warning.daysBefore: is required",
        ]
    );
}

#[test]
fn group_lists_and_targets() {
    let doc = with_policies(vec![
        policy(json!({"action": {"kind": "remove_groups", "groups": []}})),
        policy(json!({"id": "b", "action": {"kind": "add_groups", "groups": ["ok", " ", 7]}})),
        policy(json!({"id": "c", "scope": {"target": {"kind": "only_groups"}}})),
        policy(
            json!({"id": "d", "scope": {"directories": {"kind": "only", "ids": []}, "readOnly": "ignore"}}),
        ),
    ]);
    assert_eq!(
        issues(doc),
        vec![
            "policies[0].action.groups: must name at least one group",
            "policies[1].action.groups[1]: must not be blank",
            "policies[1].action.groups[2]: must be a string",
            "policies[2].scope.target.groups: is required",
            "policies[3].scope.directories.ids: must name at least one directory",
            "policies[3].scope.readOnly: `ignore` is not one of `skip`, `membership_only`",
        ]
    );
}

#[test]
fn schedules_are_checked_field_by_field() {
    let schedule = |s: Value| policy(json!({"trigger": {"kind": "schedule", "schedule": s}}));
    let doc = with_policies(vec![
        schedule(json!({"every": "weekly", "days": ["mon", "funday", "mon"], "at": "09:00"})),
        schedule(json!({"every": "monthly", "day": 32, "at": "9"})),
        schedule(json!({"every": "cron", "expression": "every tuesday"})),
        schedule(json!({"every": "hourly"})),
        policy(json!({"trigger": {"kind": "schedule"}})),
    ]);
    let got = issues(doc);
    assert_eq!(
        got[0],
        "policies[0].trigger.schedule.days[1]: `funday` is not a weekday (`mon` … `sun`)"
    );
    assert_eq!(
        got[1],
        "policies[0].trigger.schedule.days[2]: `mon` is listed twice"
    );
    assert_eq!(got[2], "policies[1].trigger.schedule.day: must be ≤ 31");
    assert_eq!(
        got[3],
        "policies[1].trigger.schedule.at: `9` is not a time HH:MM (00:00–23:59)"
    );
    assert!(
        got[4].starts_with("policies[2].trigger.schedule.expression: `every tuesday` is not a valid cron expression"),
        "{}",
        got[4]
    );
    assert_eq!(
        got[5],
        "policies[3].trigger.schedule.every: `hourly` is not one of `daily`, `weekly`, `monthly`, `cron`"
    );
    // The ids collide as well (all policies are "p"): those issues follow.
    assert!(got.contains(&"policies[4].trigger.schedule: is required".to_owned()));
}

#[test]
fn deactivate_options() {
    let doc = with_policies(vec![
        policy(json!({"action": {"kind": "deactivate", "renameSuffix": "_old one"}})),
        policy(json!({"id": "h", "action": {"kind": "deactivate", "handover": {"to": "user"}}})),
        policy(json!({"id": "i", "action": {"kind": "deactivate", "handover": {"to": "manager"}}})),
    ]);
    assert_eq!(
        issues(doc),
        vec![
            "policies[0].action.renameSuffix: must be 1–40 characters without spaces",
            "policies[1].action.handover.user: is required (the key of the user who takes over)",
            "policies[2].action.handover.to: `manager` is not one of `unassigned`, `project_lead`, `user`",
        ]
    );
}

#[test]
fn floating_licence_rules() {
    let floating =
        |rules: Value| json!({"id": "f", "action": {"kind": "floating_licence", "rules": rules}});
    assert_eq!(
        issues(with_policies(vec![floating(json!([]))])),
        vec!["policies[0].action.rules: must hold at least one rule"]
    );
    assert_eq!(
        issues(with_policies(vec![floating(
            json!([{"sourceGroups": ["a"]}])
        )])),
        vec!["policies[0].action.rules[0].targetGroups: is required"]
    );
}

#[test]
fn settings_ranges_and_recipients() {
    let doc = json!({
        "version": 1,
        "settings": {
            "guard": {"maxPercent": 0, "maxAccounts": -5},
            "health": {"maxNeverLoggedInJumpPoints": 101},
            "licenceAlert": {"enabled": true, "percent": 150},
            "deactivationTime": "oldest"
        }
    });
    assert_eq!(
        issues(doc),
        vec![
            "settings.guard.maxAccounts: must be ≥ 1",
            "settings.guard.maxPercent: must be ≥ 1",
            "settings.health.maxNeverLoggedInJumpPoints: must be ≤ 100",
            "settings.licenceAlert.percent: must be ≤ 100",
            "settings.licenceAlert.recipients: an enabled alert needs at least one recipient",
            "settings.deactivationTime: `oldest` is not one of `latest`, `host_first`, `audit_first`",
        ]
    );
    let doc = json!({"version": 1, "settings": {"licenceAlert": {"recipients": ["admin@example.test", "nope"]}}});
    assert_eq!(
        issues(doc),
        vec!["settings.licenceAlert.recipients[1]: is not an email address"]
    );
}

#[test]
fn versions_and_shapes() {
    assert_eq!(
        issues(json!({"policies": []})),
        vec!["version: is required"]
    );
    assert_eq!(issues(json!([1, 2])), vec!["must be a JSON object"]);
    assert_eq!(
        issues(json!({"version": "one"})),
        vec!["version: must be a whole number"]
    );
    assert_eq!(
        issues(json!({"version": 1, "policies": {}})),
        vec!["policies: must be a list"]
    );
    assert!(matches!(
        Config::from_value(json!({"version": 7})),
        Err(ConfigError::UnsupportedVersion { found: 7, .. })
    ));
    assert!(matches!(
        Config::parse("{not json"),
        Err(ConfigError::Json(_))
    ));
}

#[test]
fn one_bad_policy_rejects_the_whole_document() {
    let doc = with_policies(vec![
        policy(json!({"id": "good"})),
        policy(json!({"id": "bad", "condition": {"kind": "inactive", "days": 99999}})),
    ]);
    assert_eq!(
        issues(doc),
        vec!["policies[1].condition.days: must be ≤ 36500"]
    );
}

#[test]
fn defaults_fill_in_and_a_valid_document_round_trips() {
    let doc = json!({
        "version": 0,
        "settings": {"schedulerTime": "03:30", "excludedGroups": ["jira-administrators"]},
        "policies": [
            {"id": "deactivate", "action": {"kind": "deactivate", "renameSuffix": "_old",
              "handover": {"to": "user", "user": "JIRAUSER10000"}},
             "condition": {"kind": "inactive", "days": 45, "neverLoggedInDays": 60, "onceLoggedInDays": 10},
             "scope": {"excludeGroups": ["support-staff"], "directories": {"kind": "only", "ids": [1, 10000]},
                       "readOnly": "membership_only"},
             "warning": {"daysBefore": 7, "neverLoggedIn": true}},
            {"id": "cleanup", "mode": "live", "priority": 5,
             "trigger": {"kind": "schedule", "schedule": {"every": "weekly", "days": ["fri", "mon"], "at": "09:00", "timezone": "Europe/Berlin"}},
             "scope": {"target": {"kind": "only_groups", "groups": ["contractors"]}},
             "action": {"kind": "remove_licence_groups", "applications": ["jira-software"]}},
            {"id": "delete", "action": {"kind": "delete"}},
            {"id": "login", "action": {"kind": "reactivate", "addGroups": ["jira-developers"]}},
            {"id": "cron", "trigger": {"kind": "schedule", "schedule": {"every": "cron", "expression": "0 2 * * 1-5"}},
             "action": {"kind": "add_groups", "groups": ["review-required"]}}
        ]
    });
    let config = Config::from_value(doc).unwrap();
    assert_eq!(config.version, CONFIG_VERSION);
    assert_eq!(config.settings.scheduler_at.to_string(), "03:30");
    assert_eq!(
        config.settings.protected_groups[0].as_str(),
        "jira-administrators"
    );
    assert_eq!(config.settings.guard.max_accounts, 500);
    assert_eq!(config.settings.guard.max_percent, 20);
    // Defaults: safe mode, enabled, priority 0, 30 days, scheduler / login trigger.
    let delete = &config.policies[2];
    assert_eq!(delete.mode, seatwarden_core::policy::Mode::Safe);
    assert!(delete.enabled);
    assert_eq!(
        delete.condition,
        seatwarden_core::policy::Condition::Deactivated { days: 30 }
    );
    assert_eq!(
        config.policies[3].trigger,
        seatwarden_core::policy::Trigger::Login
    );
    let again = Config::parse(&config.to_json()).unwrap();
    assert_eq!(again, config);
}

#[test]
fn null_for_a_number_or_boolean_is_refused_not_defaulted() {
    // `days` defaults to 30 when left out; an explicit null used to mean
    // the same, a value the sender never wrote. `neverLoggedInDays` is
    // optional and off when absent: there `null` still means "not set".
    let doc = with_policies(vec![policy(json!({
        "condition": {"kind": "inactive", "days": null, "neverLoggedInDays": null},
        "enabled": null,
        "priority": null
    }))]);
    assert_eq!(
        issues(doc),
        vec![
            "policies[0].enabled: must be true or false, not null (leave the field out for the default)",
            "policies[0].priority: must be a whole number, not null (leave the field out for the default)",
            "policies[0].condition.days: must be a whole number, not null (leave the field out for the default)",
        ]
    );
}

#[test]
fn a_repeated_key_refuses_the_whole_document_by_path() {
    let text = r#"{"version":1,"policies":[{"id":"p7","id":"p8",
        "condition":{"kind":"inactive","days":30},"action":{"kind":"deactivate"}}]}"#;
    match Config::parse(text) {
        Ok(_) => panic!("the document was accepted"),
        Err(e) => assert_eq!(
            e.to_string(),
            "the configuration is not valid JSON: duplicate key `policies[0].id`"
        ),
    }
}

/// A policy's access-link settings survive being written and read back
/// (the store keeps the written form): every field the parser reads is the
/// name the writer writes, `atOnce` included.
#[test]
fn access_request_settings_round_trip() {
    for on_request in [
        json!({"kind": "exempt", "days": 30}),
        json!({"kind": "review"}),
        json!({"kind": "restore", "atOnce": true}),
    ] {
        let doc = with_policies(vec![policy(json!({"warning": {
            "daysBefore": 7,
            "accessRequest": {"onRequest": on_request, "linkDays": 14}
        }}))]);
        let config = Config::from_value(doc).unwrap();
        let again = Config::parse(&config.to_json()).unwrap();
        assert_eq!(again, config, "{on_request}");
    }
    assert_eq!(
        issues(with_policies(vec![policy(json!({"warning": {
            "daysBefore": 7, "accessRequest": {"onRequest": {"kind": "restore", "at_once": true}}
        }}))])),
        vec!["policies[0].warning.accessRequest.onRequest.at_once: unknown field"]
    );
}
