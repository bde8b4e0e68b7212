//! Issue 21 items 3-4 end to end through [`Service::handle_public`]: the
//! "I still need access" link a warning carries, the anonymous page and
//! what a request does (exempt, review list, restore), and the
//! service-desk webhooks. The security cases: forged, expired, replayed and
//! cross-user links all get one neutral page, byte for byte the same as
//! for a user that does not exist; a webhook with a wrong signature, a
//! stale timestamp, an unknown hook id or an oversized body changes nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use serde_json::{Value, json};

use common::*;
use seatwarden_audit::Action;
use seatwarden_core::{Millis, UserKey};
use seatwarden_service::Service;
use seatwarden_service::access::link::{self, LinkClaims, Purpose};
use seatwarden_service::access::{PublicRequest, hook, secret};
use seatwarden_service::api::{ApiResponse, Method};

/// A live 90-day deactivation with a 7-day warning offering links.
fn linked_policy(f: &Fixture, on_request: Value) -> String {
    let mut policy = deactivation_policy("Idle 90", true);
    policy["warning"] = json!({
        "daysBefore": 7,
        "accessRequest": {"onRequest": on_request, "linkDays": 14}
    });
    let (id, _) = create_policy(&f.service, policy, DAY0);
    disable_health(&f.service);
    id
}

/// Runs the tick that warns everyone and delivers the mail: (username's
/// local part, token) for each warning, in the order sent.
fn warn(f: &Fixture) -> Vec<(String, String)> {
    let report = f.service.tick(Millis(TICK)).unwrap();
    assert!(report.mails_queued > 0, "{report:?}");
    let transport = Recorder::new();
    f.service
        .deliver_mail(&transport, Millis(TICK + 60_000), 100)
        .unwrap();
    transport
        .sent()
        .into_iter()
        .map(|(to, _, html)| {
            let at = html
                .find("/access/request?t=")
                .unwrap_or_else(|| panic!("no link in the warning: {html}"));
            let token: String = html[at + "/access/request?t=".len()..]
                .chars()
                .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
                .collect();
            (to.split('@').next().unwrap().to_owned(), token)
        })
        .collect()
}

fn token_of(links: &[(String, String)], user: &str) -> String {
    links
        .iter()
        .find(|(u, _)| u == user)
        .unwrap_or_else(|| panic!("no warning to {user}"))
        .1
        .clone()
}

fn page(service: &Service, token: &str, now: i64) -> ApiResponse {
    service.handle_public(
        &PublicRequest {
            method: "GET".into(),
            path: "/access/request".into(),
            query: vec![("t".into(), token.into())],
            client_ip: Some("192.0.2.7".into()),
            ..PublicRequest::default()
        },
        Millis(now),
    )
}

fn submit(service: &Service, token: &str, reason: &str, now: i64) -> ApiResponse {
    let body = format!(
        "t={token}&reason={}",
        reason
            .replace('%', "%25")
            .replace(' ', "+")
            .replace('&', "%26")
    );
    service.handle_public(
        &PublicRequest {
            method: "POST".into(),
            path: "/access/request".into(),
            headers: vec![(
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            )],
            body: body.into_bytes(),
            client_ip: Some("192.0.2.7".into()),
            ..PublicRequest::default()
        },
        Millis(now),
    )
}

fn text(r: &ApiResponse) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

fn requests(service: &Service, now: i64) -> Vec<Value> {
    let (status, body) = call(service, Method::Get, "/api/access/requests", None, now);
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn refusals(f: &Fixture) -> Vec<String> {
    entries(f.store.as_ref(), Action::AccessRequested)
        .into_iter()
        .map(|e| e.entry.description)
        .filter(|d| d.starts_with("access link refused"))
        .collect()
}

#[test]
fn a_warning_link_opens_the_page_and_the_request_exempts_the_user() {
    let f = fixture(2, 0, 0);
    let _ = linked_policy(&f, json!({"kind": "exempt", "days": 30}));
    let links = warn(&f);
    assert_eq!(links.len(), 2, "{links:?}");
    let token = token_of(&links, "idle0000");

    // The page says plainly what will happen, and asks for a reason.
    let shown = page(&f.service, &token, TICK + DAY);
    assert_eq!(shown.status, 200);
    let html = text(&shown);
    assert!(html.contains("leave it alone for 30 day(s)"), "{html}");
    assert!(html.contains("name=\"reason\""), "{html}");
    assert!(!html.contains("idle0000"), "the page names nobody: {html}");

    // A blank reason is refused and does not use the link up.
    let blank = submit(&f.service, &token, "   ", TICK + DAY);
    assert_eq!(blank.status, 400);
    assert!(requests(&f.service, TICK + DAY).is_empty());

    let done = submit(&f.service, &token, "I run the quarterly audit", TICK + DAY);
    assert_eq!(done.status, 200, "{}", text(&done));
    assert!(text(&done).contains("Thank you"));

    // The admin sees who, when, why and what happened.
    let listed = requests(&f.service, TICK + DAY);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["user"], "K-idle0000");
    assert_eq!(listed[0]["reason"], "I run the quarterly audit");
    assert_eq!(listed[0]["status"], "exempted");
    assert_eq!(listed[0]["at"], TICK + DAY);
    let exemptions = f.service.exemptions().unwrap();
    assert_eq!(exemptions.len(), 1);
    assert_eq!(exemptions[0].user, UserKey::from("K-idle0000"));
    assert_eq!(exemptions[0].until, Some(Millis(TICK + DAY).plus_days(30)));

    // The same link again (a replay, a double click) changes nothing, and
    // opening it shows the neutral page, not a form.
    let again = submit(&f.service, &token, "again", TICK + DAY + 1);
    assert!(text(&again).contains("This link cannot be used"));
    assert_eq!(
        text(&page(&f.service, &token, TICK + DAY + 1)),
        text(&again)
    );
    assert_eq!(requests(&f.service, TICK + DAY + 1).len(), 1);
    assert!(
        refusals(&f).iter().any(|d| d.contains("used already")),
        "{:?}",
        refusals(&f)
    );

    // When the grace period ends, the exempted user keeps the account.
    f.service.tick(Millis(TICK + 8 * DAY)).unwrap();
    assert!(active(&f.host, "K-idle0000"));
    assert!(!active(&f.host, "K-idle0001"));
}

#[test]
fn forged_expired_cross_user_and_unknown_user_links_all_look_the_same() {
    let f = fixture(2, 0, 0);
    let policy = linked_policy(&f, json!({"kind": "exempt", "days": 30}));
    let links = warn(&f);
    let token = token_of(&links, "idle0000");
    let neutral = text(&page(&f.service, "not-a-token", TICK));
    assert!(neutral.contains("This link cannot be used"), "{neutral}");

    // Cross-user: idle0000's link re-pointed at idle0001, MAC kept.
    let (payload, mac) = token.split_once('.').unwrap();
    let claims = String::from_utf8(hex::decode(payload).unwrap()).unwrap();
    let other = claims.replace("K-idle0000", "K-idle0001");
    assert_ne!(claims, other);
    let cross = format!("{}.{mac}", hex::encode(other.as_bytes()));
    // A validly signed link for a user that does not exist.
    let key = secret::get(f.store.as_ref(), secret::LINKS, Millis(TICK))
        .unwrap()
        .unwrap();
    let ghost = link::sign(
        key.as_bytes(),
        &LinkClaims {
            user: UserKey::from("K-nobody"),
            policy: policy.as_str().into(),
            cycle: Millis(0),
            purpose: Purpose::KeepAccess,
            expires_at: Millis(TICK + 30 * DAY),
            nonce: "00".into(),
        },
    );
    for (what, t, at) in [
        ("cross-user", cross.as_str(), TICK + DAY),
        ("unknown user", ghost.as_str(), TICK + DAY),
        ("expired", token.as_str(), TICK + 60_000 + 14 * DAY),
        ("truncated", &token[..token.len() - 2], TICK + DAY),
    ] {
        let shown = page(&f.service, t, at);
        assert_eq!((what, shown.status), (what, 200));
        assert_eq!(text(&shown), neutral, "{what}");
        let posted = submit(&f.service, t, "let me in", at);
        assert_eq!(text(&posted), neutral, "{what}");
    }
    assert!(requests(&f.service, TICK + DAY).is_empty());
    assert!(f.service.exemptions().unwrap().is_empty());
    // Each refusal is audited with its real reason (for the admin only).
    let why = refusals(&f).join("\n");
    for reason in [
        "signature does not match",
        "no longer exists",
        "has expired",
    ] {
        assert!(why.contains(reason), "{reason}: {why}");
    }

    // Rotating the secret voids every link sent before.
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/access/secret/rotate",
        None,
        TICK + DAY,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(text(&page(&f.service, &token, TICK + DAY)), neutral);
}

#[test]
fn a_request_can_go_onto_the_review_list() {
    let f = fixture(1, 0, 0);
    let policy = linked_policy(&f, json!({"kind": "review"}));
    let token = token_of(&warn(&f), "idle0000");
    let done = submit(&f.service, &token, "on parental leave", TICK + DAY);
    assert_eq!(done.status, 200, "{}", text(&done));
    let listed = requests(&f.service, TICK + DAY);
    assert_eq!(listed[0]["status"], "queued", "{listed:?}");
    let (status, review) = call(&f.service, Method::Get, "/api/review", None, TICK + DAY);
    assert_eq!(status, 200, "{review}");
    let items = review["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{review}");
    assert_eq!(items[0]["user"], "K-idle0000");
    assert_eq!(items[0]["policy"], policy.as_str());
    assert_eq!(items[0]["origin"]["kind"], "request", "{review}");
    assert!(
        items[0]["reasons"][0]
            .as_str()
            .unwrap()
            .contains("on parental leave")
    );
}

#[test]
fn after_removal_the_link_restores_at_once_when_the_policy_allows_it() {
    let f = fixture(2, 0, 0);
    let _ = linked_policy(&f, json!({"kind": "restore", "atOnce": true}));
    let links = warn(&f);
    f.service.tick(Millis(TICK + 8 * DAY)).unwrap();
    assert!(!active(&f.host, "K-idle0000"));
    let shown = page(&f.service, &token_of(&links, "idle0000"), TICK + 9 * DAY);
    assert!(
        text(&shown).contains("given back at once"),
        "{}",
        text(&shown)
    );
    let done = submit(
        &f.service,
        &token_of(&links, "idle0000"),
        "back from leave",
        TICK + 9 * DAY,
    );
    assert!(text(&done).contains("given back"), "{}", text(&done));
    assert!(active(&f.host, "K-idle0000"));
    assert!(!active(&f.host, "K-idle0001"));
    assert_eq!(
        requests(&f.service, TICK + 9 * DAY)[0]["status"],
        "restored"
    );
}

#[test]
fn after_removal_a_request_waits_for_the_admin_who_can_give_access_back() {
    let f = fixture(2, 0, 0);
    let _ = linked_policy(&f, json!({"kind": "restore"}));
    let links = warn(&f);
    f.service.tick(Millis(TICK + 8 * DAY)).unwrap();
    for (user, reason) in [("idle0000", "new project"), ("idle0001", "please")] {
        let done = submit(&f.service, &token_of(&links, user), reason, TICK + 9 * DAY);
        assert_eq!(done.status, 200);
    }
    assert!(!active(&f.host, "K-idle0000"), "restored without approval");
    let listed = requests(&f.service, TICK + 9 * DAY);
    assert!(
        listed.iter().all(|r| r["status"] == "pending"),
        "{listed:?}"
    );
    let id_of = |user: &str| {
        listed.iter().find(|r| r["user"] == user).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let decide = |id: &str, approve: bool| {
        call(
            &f.service,
            Method::Post,
            &format!("/api/access/requests/{id}/decide"),
            Some(json!({"approve": approve})),
            TICK + 10 * DAY,
        )
    };
    let (status, body) = decide(&id_of("K-idle0000"), true);
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("restored")),
        "{body}"
    );
    let (status, body) = decide(&id_of("K-idle0001"), false);
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("rejected")),
        "{body}"
    );
    assert!(active(&f.host, "K-idle0000"));
    assert!(!active(&f.host, "K-idle0001"));
    // Decided once only.
    let (status, _) = decide(&id_of("K-idle0001"), true);
    assert_eq!(status, 409);
    assert!(!active(&f.host, "K-idle0001"));
    assert_eq!(
        entries(f.store.as_ref(), Action::AccessRequestDecided).len(),
        2
    );
}

// ---- webhooks ----

fn create_hook(f: &Fixture, cap: u32) -> (String, String) {
    let (status, body) = call(
        &f.service,
        Method::Post,
        "/api/hooks",
        Some(json!({
            "name": "IT desk",
            "capPerDay": cap,
            "rules": [{"name": "staff", "emailDomains": ["example.test"], "projects": ["IT"],
                       "activate": true}]
        })),
        DAY0,
    );
    assert_eq!(status, 201, "{body}");
    let secret = body["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    let (_, list) = call(&f.service, Method::Get, "/api/hooks", None, DAY0);
    assert!(!list.to_string().contains(&secret), "shown once only");
    (body["id"].as_str().unwrap().to_owned(), secret)
}

fn event(id: &str, user: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "eventId": id, "requester": {"email": format!("{user}@example.test")}, "project": "IT"
    }))
    .unwrap()
}

fn hook_call(
    service: &Service,
    hook_id: &str,
    secret: &str,
    body: Vec<u8>,
    signed_at: i64,
    now: i64,
) -> ApiResponse {
    let ts = (signed_at / 1_000).to_string();
    let sig = hook::signature(secret.as_bytes(), &ts, &body);
    service.handle_public(
        &PublicRequest {
            method: "POST".into(),
            path: format!("/hooks/access/{hook_id}"),
            headers: vec![
                ("x-seatwarden-timestamp".into(), ts),
                ("x-seatwarden-signature".into(), sig),
            ],
            body,
            client_ip: Some("198.51.100.4".into()),
            ..PublicRequest::default()
        },
        Millis(now),
    )
}

fn hook_audits(f: &Fixture) -> Vec<String> {
    entries(f.store.as_ref(), Action::HookCalled)
        .into_iter()
        .map(|e| e.entry.description)
        .collect()
}

#[test]
fn a_signed_webhook_call_gives_the_seat_once() {
    let f = fixture(0, 0, 2);
    let (id, secret) = create_hook(&f, 10);
    let now = DAY0 + 1_000;
    let first = hook_call(
        &f.service,
        &id,
        &secret,
        event("IT-1", "gone0000"),
        now,
        now,
    );
    assert_eq!(first.status, 200, "{}", text(&first));
    let answer: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(answer["outcome"], "applied", "{answer}");
    assert_eq!(answer["rule"], "staff");
    assert!(active(&f.host, "K-gone0000"));
    assert!(!active(&f.host, "K-gone0001"));

    // A retried delivery of the same event answers the first result.
    let again = hook_call(
        &f.service,
        &id,
        &secret,
        event("IT-1", "gone0000"),
        now,
        now + 5,
    );
    assert_eq!(again.status, 200);
    assert_eq!(again.body, first.body);
    let activations = entries(f.store.as_ref(), Action::UserActivated).len();
    assert_eq!(activations, 1);
    assert!(hook_audits(&f).iter().any(|d| d.contains("duplicate")));

    // No rule matches another project: nothing happens, and it says why.
    let body = serde_json::to_vec(&json!({
        "eventId": "HR-1", "requester": {"email": "gone0001@example.test"}, "project": "HR"
    }))
    .unwrap();
    let miss = hook_call(&f.service, &id, &secret, body, now, now + 10);
    let answer: Value = serde_json::from_slice(&miss.body).unwrap();
    assert_eq!(answer["outcome"], "no_rule", "{answer}");
    assert!(!active(&f.host, "K-gone0001"));
    assert!(
        hook_audits(&f)
            .iter()
            .any(|d| d.contains("no rule matched") && d.contains("project"))
    );
}

#[test]
fn the_daily_cap_stops_account_changes() {
    let f = fixture(0, 0, 2);
    let (id, secret) = create_hook(&f, 1);
    let now = DAY0 + 1_000;
    let first = hook_call(
        &f.service,
        &id,
        &secret,
        event("IT-1", "gone0000"),
        now,
        now,
    );
    assert_eq!(first.status, 200);
    let second = hook_call(
        &f.service,
        &id,
        &secret,
        event("IT-2", "gone0001"),
        now,
        now,
    );
    let answer: Value = serde_json::from_slice(&second.body).unwrap();
    assert_eq!(answer["outcome"], "cap_reached", "{answer}");
    assert!(!active(&f.host, "K-gone0001"));
    // The next day has its own cap.
    let later = DAY0 + DAY + 1_000;
    let third = hook_call(
        &f.service,
        &id,
        &secret,
        event("IT-3", "gone0001"),
        later,
        later,
    );
    let answer: Value = serde_json::from_slice(&third.body).unwrap();
    assert_eq!(answer["outcome"], "applied", "{answer}");
    assert!(active(&f.host, "K-gone0001"));
}

#[test]
fn unauthentic_webhook_calls_are_refused_alike_and_audited() {
    let f = fixture(0, 0, 1);
    let (id, secret) = create_hook(&f, 10);
    let now = DAY0 + 1_000;
    let wrong = hook_call(
        &f.service,
        &id,
        "0".repeat(64).as_str(),
        event("IT-1", "gone0000"),
        now,
        now,
    );
    let unknown = hook_call(
        &f.service,
        "0123456789abcdef",
        &secret,
        event("IT-1", "gone0000"),
        now,
        now,
    );
    let stale = hook_call(
        &f.service,
        &id,
        &secret,
        event("IT-1", "gone0000"),
        now - 301_000,
        now,
    );
    let mut unsigned = event("IT-1", "gone0000");
    let tampered = {
        let ts = (now / 1_000).to_string();
        let sig = hook::signature(secret.as_bytes(), &ts, &unsigned);
        unsigned.extend_from_slice(b" ");
        f.service.handle_public(
            &PublicRequest {
                method: "POST".into(),
                path: format!("/hooks/access/{id}"),
                headers: vec![
                    ("x-seatwarden-timestamp".into(), ts),
                    ("x-seatwarden-signature".into(), sig),
                ],
                body: unsigned,
                ..PublicRequest::default()
            },
            Millis(now),
        )
    };
    for (what, r) in [
        ("wrong secret", &wrong),
        ("unknown hook", &unknown),
        ("stale", &stale),
        ("tampered", &tampered),
    ] {
        assert_eq!((what, r.status), (what, 401));
        assert_eq!(r.body, wrong.body, "{what}");
        assert_eq!(r.headers, wrong.headers, "{what}");
    }
    // Oversized bodies are refused before any work.
    let mut big = event("IT-9", "gone0000");
    big.resize(64 * 1024 + 1, b' ');
    let too_big = hook_call(&f.service, &id, &secret, big, now, now);
    assert_eq!(too_big.status, 413);
    assert!(!active(&f.host, "K-gone0000"));
    let audits = hook_audits(&f).join("\n");
    for reason in [
        "signature does not match",
        "no such hook",
        "outside the 5-minute window",
    ] {
        assert!(audits.contains(reason), "{reason}: {audits}");
    }
    // The real event still works afterwards (nothing was claimed).
    let ok = hook_call(
        &f.service,
        &id,
        &secret,
        event("IT-1", "gone0000"),
        now,
        now,
    );
    let answer: Value = serde_json::from_slice(&ok.body).unwrap();
    assert_eq!(answer["outcome"], "applied", "{answer}");
}

#[test]
fn the_test_event_button_changes_nothing() {
    let f = fixture(0, 0, 1);
    let (id, _) = create_hook(&f, 10);
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/hooks/{id}/test"),
        Some(
            json!({"eventId": "TEST-1", "requester": {"email": "gone0000@example.test"},
                    "project": "IT"}),
        ),
        DAY0 + 1_000,
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["dryRun"], true);
    assert_eq!(body["rule"], "staff");
    assert!(
        body["detail"].as_str().unwrap().contains("would do"),
        "{body}"
    );
    assert!(!active(&f.host, "K-gone0000"));
}

/// Every marker of `kind` still stored (lapsed ones too).
fn stored(store: &dyn seatwarden_service::store::Store, kind: &str) -> usize {
    store.list_markers(kind, Millis(i64::MIN)).unwrap().len()
}

#[test]
fn lapsed_requests_and_removed_hooks_are_pruned_after_the_audit_retention() {
    let f = fixture(2, 0, 0);
    let _ = linked_policy(&f, json!({"kind": "exempt", "days": 30}));
    let links = warn(&f);
    let token = token_of(&links, "idle0000");
    let done = submit(&f.service, &token, "still here", TICK + DAY);
    assert_eq!(done.status, 200, "{}", text(&done));
    let (hook, _) = create_hook(&f, 5);
    let (status, body) = call(
        &f.service,
        Method::Delete,
        &format!("/api/hooks/{hook}"),
        None,
        TICK + DAY,
    );
    assert!(status == 200 || status == 204, "{status} {body}");
    let store = f.store.as_ref();
    assert_eq!(stored(store, "access-request"), 1);
    assert_eq!(stored(store, "hook"), 1, "a removed hook is only hidden");
    assert_eq!(stored(store, "link-used"), 1);

    // The next day's maintenance deletes what only refused replays (the
    // used link lapses with the link, 14 days) once it lapsed, and the
    // removed hook's secret at once; the request and the hook stay while
    // the audit retention (365 days) has not passed since they lapsed.
    f.service.tick(Millis(TICK + 20 * DAY)).unwrap();
    assert_eq!(stored(store, "link-used"), 0);
    assert!(
        store
            .list_markers("secret", Millis(i64::MIN))
            .unwrap()
            .iter()
            .all(|m| !m.key.starts_with("hook/")),
        "a removed hook's secret outlived the day"
    );
    let after_listing = TICK + DAY + 180 * DAY;
    f.service.tick(Millis(after_listing + 10 * DAY)).unwrap();
    assert_eq!(stored(store, "access-request"), 1, "hidden, kept");
    assert_eq!(stored(store, "hook"), 1);
    assert!(requests(&f.service, after_listing + 10 * DAY).is_empty());

    f.service.tick(Millis(after_listing + 366 * DAY)).unwrap();
    assert_eq!(stored(store, "access-request"), 0, "pruned");
    assert_eq!(stored(store, "hook"), 0, "pruned");
}

#[test]
fn two_nodes_over_one_store_share_the_page_limit() {
    let f = fixture(1, 0, 0);
    let other = Service::new(f.host.clone(), f.store.clone(), options("node-b", 50)).unwrap();
    let limit = seatwarden_service::access::PAGE_LIMITS.per_client;
    let ask = |service: &Service| page(service, "not-a-token", TICK).status;
    let mut statuses = Vec::new();
    for i in 0..limit + 4 {
        statuses.push(ask(if i % 2 == 0 { &f.service } else { &other }));
    }
    let admitted = statuses.iter().filter(|s| **s != 429).count();
    assert_eq!(admitted, limit, "{statuses:?}");
    // Each node alone admitted half: without the shared count both would
    // still admit.
    assert_eq!(ask(&f.service), 429);
    assert_eq!(ask(&other), 429);
}

// ---- the "access removed" notice ----

/// Delivers what is due at `now`: (to, subject, html) of each message.
fn deliver(f: &Fixture, now: i64) -> Vec<(String, String, String)> {
    let transport = Recorder::new();
    f.service
        .deliver_mail(&transport, Millis(now), 100)
        .unwrap();
    transport.sent()
}

fn token_in(html: &str) -> String {
    let at = html
        .find("/access/request?t=")
        .unwrap_or_else(|| panic!("no link in: {html}"));
    html[at + "/access/request?t=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
        .collect()
}

#[test]
fn the_access_removed_notice_carries_a_link_that_gets_the_access_back_on_approval() {
    let f = fixture(2, 0, 0);
    let mut policy = deactivation_policy("Idle 90", true);
    policy["warning"] = json!({
        "daysBefore": 7,
        "accessRequest": {"onRequest": {"kind": "restore"}, "linkDays": 14,
                          "noticeOnRemoval": true}
    });
    let (policy_id, _) = create_policy(&f.service, policy, DAY0);
    disable_health(&f.service);
    // The template is listed, with its placeholders.
    let (status, template) = call(
        &f.service,
        Method::Get,
        "/api/templates/access-removed",
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{template}");
    assert_eq!(template["kind"], "access_removed", "{template}");
    assert!(
        template["html_body"]
            .as_str()
            .or(template["htmlBody"].as_str())
            .unwrap()
            .contains("{{request_access_url}}"),
        "{template}"
    );

    // Warned first; the run a week later deactivates both and queues one
    // notice each.
    let warnings = deliver_after_tick(&f, TICK);
    assert_eq!(warnings, 2);
    let removal = TICK + 8 * DAY;
    let report = f.service.tick(Millis(removal)).unwrap();
    let run = report.runs[0];
    assert!(!active(&f.host, "K-idle0000") && !active(&f.host, "K-idle0001"));
    let (status, outbox) = call(&f.service, Method::Get, "/api/mail/outbox", None, removal);
    assert_eq!(status, 200, "{outbox}");
    let notices: Vec<&Value> = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["template"] == "access-removed")
        .collect();
    assert_eq!(notices.len(), 2, "visible in the outbox: {outbox}");
    let sent = deliver(&f, removal + 60_000);
    let (to, subject, html) = sent
        .iter()
        .find(|(to, ..)| to == "idle0000@example.test")
        .cloned()
        .unwrap_or_else(|| panic!("no notice to idle0000: {sent:?}"));
    assert_eq!(to, "idle0000@example.test");

    // Exactly the template's rendering (what its preview shows), with this
    // user's values and the link.
    let token = token_in(&html);
    let options = f.service.options();
    let url = format!(
        "{}/access/request?t={token}",
        options.base_url.trim_end_matches('/')
    );
    let last_login = Millis(DAY0 - 200 * DAY); // the fixture's idle users
    let values = seatwarden_mail::Values::new()
        .instance(&options.instance_name, &options.base_url)
        .with(seatwarden_mail::Placeholder::Username, "idle0000")
        .with(seatwarden_mail::Placeholder::DisplayName, "Idle 0")
        .with(seatwarden_mail::Placeholder::Email, "idle0000@example.test")
        .with(
            seatwarden_mail::Placeholder::LastLogin,
            last_login.date_string(),
        )
        .with(
            seatwarden_mail::Placeholder::DaysInactive,
            last_login.days_until(Millis(removal)).to_string(),
        )
        .with(
            seatwarden_mail::Placeholder::Action,
            "deactivate your account",
        )
        .with(
            seatwarden_mail::Placeholder::ActionDate,
            Millis(removal).date_string(),
        )
        .with(seatwarden_mail::Placeholder::RequestAccessUrl, url);
    let settings = f.service.settings();
    let stored = settings
        .templates
        .iter()
        .find(|t| t.kind == seatwarden_mail::TemplateKind::AccessRemoved)
        .unwrap();
    let expected = seatwarden_mail::render(stored, &values).unwrap();
    assert_eq!(subject, expected.subject);
    assert_eq!(html, expected.html);
    assert!(expected.missing.is_empty(), "{:?}", expected.missing);

    // Once per user and removal: later ticks add none.
    f.service.tick(Millis(removal + DAY)).unwrap();
    let (_, outbox) = call(
        &f.service,
        Method::Get,
        "/api/mail/outbox?status=queued,sent",
        None,
        removal + DAY,
    );
    let count = outbox["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["template"] == "access-removed")
        .count();
    assert_eq!(count, 2, "{outbox}");

    // The link opens the page, which says the request waits for an admin.
    let later = removal + DAY;
    let shown = page(&f.service, &token, later);
    assert_eq!(shown.status, 200);
    assert!(
        text(&shown).contains("decides whether your access is given back"),
        "{}",
        text(&shown)
    );
    let done = submit(&f.service, &token, "I start on the new project", later);
    assert_eq!(done.status, 200, "{}", text(&done));
    let listed = requests(&f.service, later);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        (&listed[0]["status"], &listed[0]["purpose"]),
        (&json!("pending"), &json!("restore"))
    );
    assert!(!active(&f.host, "K-idle0000"), "restored without approval");

    // The admin approves: the Host activates the account, audited.
    let id = listed[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/access/requests/{id}/decide"),
        Some(json!({"approve": true})),
        later,
    );
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("restored")),
        "{body}"
    );
    assert!(active(&f.host, "K-idle0000"));
    let reactivated = entries(f.store.as_ref(), Action::UserReactivated);
    assert!(
        reactivated
            .iter()
            .any(|e| e.entry.policy.as_ref().map(|p| p.as_str()) == Some(policy_id.as_str())),
        "{reactivated:?}"
    );

    // Reverting the run still works: the other user comes back, the
    // restored one is left as is.
    let (status, plan) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run}/revert/plan"),
        None,
        later,
    );
    assert_eq!(status, 200, "{plan}");
    let (status, body) = call(
        &f.service,
        Method::Post,
        &format!("/api/runs/{run}/revert"),
        Some(json!({"planHash": plan["planHash"]})),
        later,
    );
    assert_eq!(status, 202, "{body}");
    drain(&f.service, later);
    assert!(active(&f.host, "K-idle0000") && active(&f.host, "K-idle0001"));
}

/// Ticks at `now` and delivers: how many were sent.
fn deliver_after_tick(f: &Fixture, now: i64) -> usize {
    f.service.tick(Millis(now)).unwrap();
    deliver(f, now + 60_000).len()
}

#[test]
fn without_the_opt_in_no_notice_is_sent() {
    let f = fixture(1, 0, 0);
    let _ = linked_policy(&f, json!({"kind": "restore"}));
    assert_eq!(deliver_after_tick(&f, TICK), 1, "the warning");
    f.service.tick(Millis(TICK + 8 * DAY)).unwrap();
    assert!(!active(&f.host, "K-idle0000"));
    let sent = deliver(&f, TICK + 8 * DAY + 60_000);
    assert!(sent.is_empty(), "{sent:?}");
}

#[test]
fn hook_rules_are_saved_version_checked_with_problems_by_field() {
    let f = fixture(1, 0, 0);
    let (hook, _) = create_hook(&f, 5);
    let path = format!("/api/hooks/{hook}");
    let (_, list) = call(&f.service, Method::Get, "/api/hooks", None, DAY0);
    let read = list["items"][0].clone();
    let version = read["version"].as_str().unwrap().to_owned();
    let mut settings = read["settings"].clone();
    settings["rules"] = json!([
        {"name": "contractors", "emailDomains": ["partner.test"], "addToGroups": ["staff"]},
        settings["rules"][0].clone()
    ]);
    let put = |body: Value| call(&f.service, Method::Put, &path, Some(body), DAY0);

    // No version, a bad rule: refused, nothing saved.
    let (status, body) = put(settings.clone());
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["details"]["problems"][0]["path"], "version");
    let mut bad = settings.clone();
    bad["version"] = json!(version);
    bad["rules"][0]["name"] = json!(" ");
    bad["rules"][1]["activate"] = json!(false);
    bad["rules"][1]["emailDomains"] = json!(["@example.test"]);
    let (status, body) = put(bad);
    assert_eq!(status, 422, "{body}");
    let problems: Vec<(String, String)> = body["error"]["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let paths: Vec<&str> = problems.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        paths,
        [
            "rules[0].name",
            "rules[1].emailDomains",
            "rules[1].activate"
        ],
        "{problems:?}"
    );
    assert!(
        problems[2].1.starts_with("rule 2 does nothing"),
        "{problems:?}"
    );
    let (_, unchanged) = call(&f.service, Method::Get, "/api/hooks", None, DAY0);
    assert_eq!(unchanged["items"][0]["version"], json!(version));

    // The right version saves the new order; the same version again is stale.
    let mut good = settings.clone();
    good["version"] = json!(version);
    let (status, body) = put(good.clone());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["settings"]["rules"][0]["name"], "contractors");
    assert_ne!(body["version"], json!(version));
    let (status, body) = put(good);
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("changed since you read it"),
        "{body}"
    );
}
