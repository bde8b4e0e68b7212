//! Issue 24, "the admin's first month", end to end over the in-memory host
//! and store: a run the guard holds reaches the admins and can be discarded;
//! policy runs report; "warn N days before" warns overdue users first and
//! acts only after the grace period; one warning per user and cycle.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_audit::{Action, RunId, RunStatus};
use seatwarden_core::Millis;
use seatwarden_service::Service;
use seatwarden_service::api::Method;
use seatwarden_service::store::{MailStatus, OutboxMessage, OutboxQuery, Store};

fn create(service: &Service, body: Value) -> String {
    create_policy(service, body, DAY0).0
}

/// The preview of policy `id` at [`TICK`].
fn preview(service: &Service, id: &str) -> Value {
    let (status, preview) = call(
        service,
        Method::Post,
        &format!("/api/policies/{id}/preview"),
        None,
        TICK,
    );
    assert_eq!(status, 200, "{preview}");
    preview
}

fn put_settings(service: &Service, settings: Value) {
    let (_, current) = call(service, Method::Get, "/api/settings", None, DAY0);
    let (status, body) = call(
        service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"], "settings": settings})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}

fn enable_template(service: &Service, id: &str) {
    let (_, current) = call(service, Method::Get, "/api/settings", None, DAY0);
    let (status, mut template) = call(
        service,
        Method::Get,
        &format!("/api/templates/{id}"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{template}");
    template["enabled"] = json!(true);
    template["configVersion"] = current["configVersion"].clone();
    let (status, body) = call(
        service,
        Method::Put,
        &format!("/api/templates/{id}"),
        Some(template),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}

fn outbox(store: &dyn Store) -> Vec<OutboxMessage> {
    store
        .list_mail(&OutboxQuery {
            limit: 1_000,
            ..OutboxQuery::default()
        })
        .unwrap()
        .items
}

fn status_of(store: &dyn Store, run: RunId) -> RunStatus {
    store.get_run(run).unwrap().unwrap().status
}

/// A live 90-day deactivation over 12 idle users with a guard of 5 and
/// one admin recipient: the first tick holds the run.
fn held_run() -> (Fixture, RunId) {
    let f = fixture(12, 3, 0);
    create(&f.service, deactivation_policy("Idle", true));
    put_settings(
        &f.service,
        json!({
            "guard": {"enabled": true, "maxAccounts": 5, "maxPercent": 100, "minLicensed": 100000},
            "adminMail": {"recipients": ["ops@example.test"]}
        }),
    );
    let report = f.service.tick(Millis(TICK)).unwrap();
    let run = report.runs[0];
    assert_eq!(
        status_of(f.store.as_ref(), run),
        RunStatus::AwaitingApproval
    );
    (f, run)
}

#[test]
fn a_run_held_by_the_guard_mails_the_chosen_admins_with_its_approval_link() {
    let (f, run) = held_run();
    let transport = Recorder::new();
    let report = f
        .service
        .deliver_mail(&transport, Millis(TICK + 1), 10)
        .unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let sent = transport.sent();
    let (to, subject, html) = &sent[0];
    assert_eq!(to, "ops@example.test");
    assert!(
        subject.contains(&format!("run {run} is waiting for your approval")),
        "{subject}"
    );
    assert!(
        html.contains(&format!("#/automation/approve/{run}")),
        "{html}"
    );
    assert!(html.contains("12 users: 12 to deactivate"), "{html}");
    // Planning the same run again (a resume) never mails twice.
    assert_eq!(outbox(f.store.as_ref()).len(), 1);
    assert_eq!(
        f.service
            .deliver_mail(&transport, Millis(TICK + 2), 10)
            .unwrap()
            .sent,
        0
    );
}

#[test]
fn without_recipients_a_held_run_queues_nothing_and_still_waits() {
    let f = fixture(12, 3, 0);
    create(&f.service, deactivation_policy("Idle", true));
    put_settings(
        &f.service,
        json!({"guard": {"enabled": true, "maxAccounts": 5, "maxPercent": 100, "minLicensed": 100000}}),
    );
    let run = f.service.tick(Millis(TICK)).unwrap().runs[0];
    assert_eq!(
        status_of(f.store.as_ref(), run),
        RunStatus::AwaitingApproval
    );
    assert!(outbox(f.store.as_ref()).is_empty());
}

#[test]
fn discarding_a_held_run_changes_nothing_is_audited_and_cannot_be_approved_after() {
    let (f, run) = held_run();
    let before = state(&f.host);
    let hash = f.store.get_run(run).unwrap().unwrap().plan_hash.unwrap().0;
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run}/discard"),
        None,
        TICK,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], json!("discarded"));
    assert_eq!(status_of(f.store.as_ref(), run), RunStatus::Discarded);
    assert_eq!(state(&f.host), before, "a discarded plan wrote");
    let audited = entries(f.store.as_ref(), Action::RunDiscarded);
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].entry.run, Some(run));
    // Neither approve nor a second discard applies to a discarded run.
    let (status, refused) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run}/approve"),
        Some(json!({"planHash": hash})),
        TICK,
    );
    assert_eq!(status, 409, "{refused}");
    let (status, _) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run}/discard"),
        None,
        TICK,
    );
    assert_eq!(status, 409);
    drain(&f.service, TICK);
    assert_eq!(state(&f.host), before);
    // Discarding a run that does not exist is a precise 404.
    let (status, _) = call(
        &f.service,
        Method::Post,
        "/api/runs/999/discard",
        None,
        TICK,
    );
    assert_eq!(status, 404);
}

#[test]
fn a_finished_policy_run_reports_to_the_admins_when_the_report_is_on() {
    let f = fixture(3, 2, 0);
    create(&f.service, deactivation_policy("Idle", true));
    put_settings(
        &f.service,
        json!({"adminMail": {"recipients": ["ops@example.test", "lead@example.test"]}}),
    );
    enable_template(&f.service, "run-report");
    let run = f.service.tick(Millis(TICK)).unwrap().runs[0];
    assert_eq!(status_of(f.store.as_ref(), run), RunStatus::Succeeded);
    let transport = Recorder::new();
    let report = f
        .service
        .deliver_mail(&transport, Millis(TICK + 1), 10)
        .unwrap();
    assert_eq!(report.sent, 2, "{report:?}");
    let mut to: Vec<String> = transport.sent().into_iter().map(|m| m.0).collect();
    to.sort();
    assert_eq!(to, ["lead@example.test", "ops@example.test"]);
    let html = &transport.sent()[0].2;
    assert!(
        html.contains("3 changes made, 0 failed, 0 skipped, for 3 users"),
        "{html}"
    );
}

/// A live 90-day deactivation with a 7-day warning over 4 users idle for
/// 200 days (overdue the moment it goes live). The health check is off: the
/// fixture records no logins while the days pass.
fn warned_policy(f: &Fixture) -> String {
    let mut policy = deactivation_policy("Idle 90", true);
    policy["warning"] = json!({"daysBefore": 7});
    let id = create(&f.service, policy);
    put_settings(&f.service, json!({"health": {"enabled": false}}));
    id
}

fn idle_active(f: &Fixture) -> usize {
    (0..4)
        .filter(|i| active(&f.host, &format!("K-idle{i:04}")))
        .count()
}

#[test]
fn overdue_users_are_warned_first_and_acted_on_only_after_the_grace_period() {
    let f = fixture(4, 2, 0);
    let _ = warned_policy(&f);
    let transport = Recorder::new();
    // Day 1: everyone overdue gets the warning, nobody is deactivated.
    let report = f.service.tick(Millis(TICK)).unwrap();
    assert_eq!(report.mails_queued, 4, "{report:?}");
    assert_eq!(idle_active(&f), 4, "acted on users never warned");
    let plan = f.store.journal(report.runs[0]).unwrap().unwrap();
    assert!(
        plan.plan.json.contains("not warned yet"),
        "{}",
        plan.plan.json
    );
    assert_eq!(
        f.service
            .deliver_mail(&transport, Millis(TICK + 60_000), 10)
            .unwrap()
            .sent,
        4
    );
    let html = &transport.sent()[0].2;
    let acts = Millis(TICK + 60_000 - (TICK + 60_000) % DAY + 7 * DAY).date_string();
    assert!(html.contains(&acts), "the mail names {acts}: {html}");
    // Six days later: still waiting, and no second warning.
    let report = f.service.tick(Millis(TICK + 6 * DAY)).unwrap();
    assert_eq!(report.mails_queued, 0);
    assert_eq!(idle_active(&f), 4, "acted on before the grace period ended");
    // Seven days after delivery: acted on.
    f.service.tick(Millis(TICK + 7 * DAY)).unwrap();
    assert_eq!(idle_active(&f), 0);
}

#[test]
fn a_warning_stuck_in_the_outbox_holds_the_action() {
    let f = fixture(4, 2, 0);
    let _ = warned_policy(&f);
    f.service.tick(Millis(TICK)).unwrap();
    // No mail server: the warnings stay queued, so nobody was told.
    f.service.tick(Millis(TICK + 30 * DAY)).unwrap();
    assert_eq!(idle_active(&f), 4);
    assert!(
        outbox(f.store.as_ref())
            .iter()
            .all(|m| m.status == MailStatus::Queued)
    );
}

#[test]
fn acting_at_once_on_overdue_users_is_an_explicit_choice() {
    let f = fixture(4, 2, 0);
    let mut policy = deactivation_policy("Idle 90", true);
    policy["warning"] = json!({"daysBefore": 7, "actOnOverdueAtOnce": true});
    create(&f.service, policy);
    let report = f.service.tick(Millis(TICK)).unwrap();
    assert_eq!(idle_active(&f), 0);
    // Nobody gets a warning naming a date after they were deactivated.
    assert_eq!(report.mails_queued, 0, "{report:?}");
}

#[test]
fn a_user_matched_by_two_policies_gets_one_warning_per_cycle() {
    let f = fixture(4, 2, 0);
    let _ = warned_policy(&f);
    let mut revoke = json!({
        "name": "Revoke staff",
        "mode": "live",
        "trigger": {"kind": "scheduler"},
        "condition": {"kind": "inactive", "days": 60},
        "action": {"kind": "remove_groups", "groups": ["staff"]},
        "warning": {"daysBefore": 7}
    });
    revoke["priority"] = json!(0);
    create(&f.service, revoke);
    let report = f.service.tick(Millis(TICK)).unwrap();
    assert_eq!(report.mails_queued, 4, "{report:?}");
    let mut users: Vec<String> = outbox(f.store.as_ref())
        .into_iter()
        .filter_map(|m| m.recipient_user.map(|u| u.to_string()))
        .collect();
    users.sort();
    users.dedup();
    assert_eq!(users.len(), 4);
}

#[test]
fn the_policy_preview_says_how_many_users_wait_for_their_warning_and_until_when() {
    let f = fixture(4, 2, 0);
    let id = warned_policy(&f);
    let preview = preview(&f.service, &id);
    let acts = Millis(TICK - TICK % DAY + 7 * DAY).date_string();
    assert_eq!(
        preview["warningNotices"][0]["text"],
        json!(format!(
            "4 users are overdue: warned first, acted on from {acts} at the earliest (7 days after the warning is delivered)"
        )),
        "{preview}"
    );
    assert_eq!(preview["warningNotices"].as_array().unwrap().len(), 1);
}

#[test]
fn the_warning_sent_reads_like_its_preview_and_has_no_empty_link() {
    let f = fixture(1, 0, 0);
    let _ = warned_policy(&f);
    f.service.tick(Millis(TICK)).unwrap();
    let transport = Recorder::new();
    f.service
        .deliver_mail(&transport, Millis(TICK + 1), 10)
        .unwrap();
    let sent = transport.sent();
    let (_, subject, html) = &sent[0];
    let acts = Millis(TICK + 1 - (TICK + 1) % DAY + 7 * DAY).date_string();
    assert!(html.contains("we will deactivate your account"), "{html}");
    assert!(html.contains(&acts), "{html}");
    assert!(
        subject.contains(&format!("we will deactivate your account on {acts}")),
        "{subject}"
    );
    // No link without a target: the request-access page does not exist yet.
    assert!(!html.contains("ask to keep it"), "{html}");
    assert!(!html.contains("href=\"\""), "{html}");
    let (status, preview) = call(
        &f.service,
        Method::Post,
        "/api/templates/preview",
        Some(
            json!({"kind": "warning", "subject": "s", "body": "we will {{action}} on {{action_date}}"}),
        ),
        TICK,
    );
    assert_eq!(status, 200, "{preview}");
    assert!(
        preview
            .to_string()
            .contains("we will deactivate your account on"),
        "{preview}"
    );
}

/// "Days before the action" has one home, the policy's warning rule (issue
/// 24): a template preview for a policy takes that policy's days, so the
/// action date and the days left are the ones its mail will say.
#[test]
fn a_template_preview_takes_the_policys_days_before_the_action() {
    let f = fixture(1, 0, 0);
    let body = |days: Value| {
        let mut b = json!({"kind": "warning", "subject": "on {{action_date}}",
            "body": "<p>In {{days_until_action}} days, on {{action_date}}.</p>"});
        if !days.is_null() {
            b["daysBefore"] = days;
        }
        call(
            &f.service,
            Method::Post,
            "/api/templates/preview",
            Some(b),
            TICK,
        )
    };
    let (status, preview) = body(json!(11));
    assert_eq!(status, 200, "{preview}");
    let acts = Millis(TICK).plus_days(11).date_string();
    assert_eq!(preview["subject"], format!("on {acts}"));
    assert!(
        preview["html"]
            .as_str()
            .unwrap()
            .contains(&format!("In 11 days, on {acts}.")),
        "{preview}"
    );
    assert!(
        preview["notice"]
            .as_str()
            .unwrap()
            .ends_with("its warning goes out 11 days before its action."),
        "{preview}"
    );
    let samples: Vec<(String, String)> = preview["substituted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["placeholder"].as_str().unwrap().to_owned(),
                s["sample"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        samples.contains(&("days_until_action".to_owned(), "11".to_owned())),
        "{samples:?}"
    );
    assert!(
        samples.contains(&("action_date".to_owned(), acts.clone())),
        "{samples:?}"
    );
    // Without a policy's days: the fixed samples, as before.
    let (status, sample) = body(Value::Null);
    assert_eq!(status, 200, "{sample}");
    assert!(!sample.to_string().contains(&acts), "{sample}");
    // Out of range or not a whole number: refused beside the field.
    for bad in [json!(36_501), json!(-1), json!("7")] {
        let (status, refused) = body(bad.clone());
        assert!(status == 400 || status == 422, "{bad}: {status} {refused}");
        assert!(
            refused.to_string().contains("daysBefore"),
            "{bad}: {refused}"
        );
    }
}

#[test]
fn the_mail_status_says_the_default_has_no_server_and_counts_the_outbox_per_template() {
    let f = fixture(3, 0, 0);
    let _ = warned_policy(&f);
    f.service.tick(Millis(TICK)).unwrap();
    let (status, body) = call(&f.service, Method::Get, "/api/mail/status", None, TICK);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["delivery"]["available"], json!(false));
    assert_eq!(
        body["delivery"]["problem"],
        json!("the product has no outgoing mail server configured")
    );
    assert_eq!(body["outbox"]["queued"], json!(3), "{body}");
    assert_eq!(
        body["byTemplate"],
        json!([{"template": "warning", "counts": {"queued": 3, "sending": 0, "sent": 0, "failed": 0}}]),
        "{body}"
    );
    // One delivered: counted as sent, the rest still queued.
    f.service
        .deliver_mail(&Recorder::new(), Millis(TICK + 1), 1)
        .unwrap();
    let (_, body) = call(&f.service, Method::Get, "/api/mail/status", None, TICK + 1);
    assert_eq!(body["byTemplate"][0]["counts"]["sent"], json!(1), "{body}");
    assert_eq!(
        body["byTemplate"][0]["counts"]["queued"],
        json!(2),
        "{body}"
    );
}

#[test]
fn names_that_do_not_exist_are_refused_on_save_with_did_you_mean() {
    let f = fixture(2, 1, 0);
    let (_, current) = call(&f.service, Method::Get, "/api/settings", None, DAY0);
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"],
            "settings": {"protectedGroups": ["jira-adminstrators", "staff"]},
            "automationAccount": "NOSUCHUSER"})),
        DAY0,
    );
    assert_eq!(status, 422, "{body}");
    let problems = body["error"]["details"]["problems"].to_string();
    assert!(
        problems.contains("settings.protectedGroups[0]")
            && problems.contains("did you mean `jira-administrators`?"),
        "{problems}"
    );
    assert!(
        problems.contains("automationAccount")
            && problems.contains("no user with key `NOSUCHUSER`"),
        "{problems}"
    );
    assert!(!problems.contains("protectedGroups[1]"), "{problems}");
    // Nothing was saved.
    let (_, after) = call(&f.service, Method::Get, "/api/settings", None, DAY0);
    assert_eq!(after["configVersion"], current["configVersion"]);

    // A policy's excluded group and handover user, relative to the policy.
    let mut policy = deactivation_policy("Idle", false);
    policy["scope"] = json!({"excludeGroups": ["staf"]});
    policy["action"] =
        json!({"kind": "deactivate", "handover": {"to": "user", "user": "NO-SUCH-KEY"}});
    let (status, body) = common::post_policy(&f.service, policy, DAY0);
    assert_eq!(status, 422, "{body}");
    let problems = &body["error"]["details"]["problems"];
    assert_eq!(
        problems[0]["path"],
        json!("scope.excludeGroups[0]"),
        "{problems}"
    );
    assert_eq!(
        problems[0]["message"],
        json!("no group `staf` in the directory; did you mean `staff`?")
    );
    assert_eq!(
        problems[1]["path"],
        json!("action.handover.user"),
        "{problems}"
    );

    // Existing names save.
    let (status, body) = call(
        &f.service,
        Method::Put,
        "/api/settings",
        Some(json!({"configVersion": current["configVersion"],
            "settings": {"protectedGroups": ["jira-administrators"]}, "automationAccount": "K-admin"})),
        DAY0,
    );
    assert_eq!(status, 200, "{body}");
}

#[test]
fn the_plan_says_when_a_configured_protected_group_no_longer_exists() {
    use seatwarden_service::host::Host;
    let f = fixture(2, 1, 0);
    put_settings(&f.service, json!({"protectedGroups": ["staff"]}));
    let id = create(&f.service, deactivation_policy("Idle", false));
    f.host
        .apply(&seatwarden_core::Operation::DeleteGroup {
            group: seatwarden_core::GroupName::from("staff"),
        })
        .unwrap();
    let preview = preview(&f.service, &id);
    assert!(
        preview["document"]["warnings"]
            .to_string()
            .contains("protected group `staff` (Settings) does not exist: it protects nobody"),
        "{}",
        preview["document"]["warnings"]
    );
}

#[test]
fn a_revert_preview_names_each_user_and_counts_users_apart_from_actions() {
    let f = fixture(3, 1, 0);
    create(&f.service, deactivation_policy("Idle", true));
    let run = f.service.tick(Millis(TICK)).unwrap().runs[0];
    assert_eq!(status_of(f.store.as_ref(), run), RunStatus::Succeeded);
    let (status, plan) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run}/revert/plan"),
        None,
        TICK,
    );
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["users"], json!(3), "{plan}");
    let mut names: Vec<&str> = plan["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["username"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["idle0000", "idle0001", "idle0002"]);
}
