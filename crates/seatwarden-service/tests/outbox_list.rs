//! Issue 24 item 3, the outbox itself: queued and failed messages listed
//! with masked recipients, attempts, the last error and the next attempt,
//! paged; Retry and Discard change only what they may, and are audited.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use serde_json::{Value, json};

use common::*;
use seatwarden_core::Millis;
use seatwarden_service::api::Method;
use seatwarden_service::store::{MailId, NewOutboxMessage};

fn queue(f: &Fixture, i: usize, at: i64) -> MailId {
    f.store
        .enqueue_mail(&NewOutboxMessage {
            dedup_key: format!("K-idle{i:04}:warning:1"),
            template_id: "warning".into(),
            recipient_user: Some(format!("K-idle{i:04}").as_str().into()),
            to: vec![format!("idle{i:04}@example.test")],
            bcc: vec![],
            subject: "Your account".into(),
            html_body: "<p>Hello</p>".into(),
            text_body: "Hello".into(),
            created_at: Millis(at),
        })
        .unwrap()
        .id
}

fn list(f: &Fixture, query: &str) -> (u16, Value) {
    call(
        &f.service,
        Method::Get,
        &format!("/api/mail/outbox{query}"),
        None,
        DAY0,
    )
}

/// How many discards the audit log holds.
fn discards_audited(f: &Fixture) -> usize {
    let (status, audit) = call(
        &f.service,
        Method::Get,
        "/api/audit?action=mail_discarded",
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{audit}");
    audit["entries"].as_array().unwrap().len()
}

fn ids(page: &Value) -> Vec<i64> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn the_outbox_lists_retries_and_discards_what_is_stuck() {
    let f = fixture(3, 0, 0);
    let a = queue(&f, 0, DAY0 - 3_000);
    let b = queue(&f, 1, DAY0 - 2_000);
    let c = queue(&f, 2, DAY0 - 1_000);
    let claimed = f
        .store
        .claim_due_mail(Millis(DAY0 - 2_500), 1, Duration::from_secs(60))
        .unwrap();
    assert_eq!(claimed.iter().map(|m| m.id).collect::<Vec<_>>(), vec![a]);
    f.store
        .mark_mail_failed(
            a,
            Millis(DAY0 - 2_500),
            "the mail server refused the message (550)",
            None,
        )
        .unwrap();

    // The list: newest first, recipients masked, the failure in words.
    let (status, page) = list(&f, "");
    assert_eq!(status, 200, "{page}");
    assert_eq!(ids(&page), vec![c.0, b.0, a.0], "{page}");
    assert!(
        !page.to_string().contains("idle0000@"),
        "an address in the list: {page}"
    );
    let failed = &page["messages"][2];
    assert_eq!(failed["recipients"], json!(["i***@example.test"]));
    assert_eq!(failed["status"], json!("failed"));
    assert_eq!(failed["attempts"], json!(1));
    assert_eq!(
        failed["lastError"],
        json!("the mail server refused the message (550)")
    );
    assert_eq!(failed["nextAttemptAt"], Value::Null);
    assert_eq!(page["messages"][0]["nextAttemptAt"], json!(DAY0 - 1_000));
    assert_eq!(page["messages"][0]["template"], json!("warning"));

    // Paged.
    let (_, first) = list(&f, "?limit=2");
    assert_eq!(ids(&first), vec![c.0, b.0]);
    let next = first["next"].as_str().expect("a next cursor");
    let (_, second) = list(&f, &format!("?limit=2&cursor={next}"));
    assert_eq!(ids(&second), vec![a.0]);
    assert_eq!(second["next"], Value::Null);

    // Opened: the address whole, and whose it is.
    let (status, one) = call(
        &f.service,
        Method::Get,
        &format!("/api/mail/outbox/{a}"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{one}");
    assert_eq!(one["recipients"], json!(["idle0000@example.test"]));
    assert_eq!(one["userName"], json!("idle0000"));

    // Retry: queued, due now, audited by name without the address.
    let (status, retried) = call(
        &f.service,
        Method::Post,
        &format!("/api/mail/outbox/{a}/retry"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{retried}");
    assert_eq!(retried["status"], json!("queued"));
    assert_eq!(retried["nextAttemptAt"], json!(DAY0));
    let (_, audit) = call(
        &f.service,
        Method::Get,
        "/api/audit?action=mail_retried",
        None,
        DAY0,
    );
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(entries[0]["actor"]["name"], json!("admin"));
    assert_eq!(entries[0]["target"]["user"], json!("K-idle0000"));
    assert!(!audit.to_string().contains("@example.test"), "{audit}");

    // Discard: gone from the default list, listed as discarded.
    let (status, discarded) = call(
        &f.service,
        Method::Post,
        &format!("/api/mail/outbox/{b}/discard"),
        None,
        DAY0,
    );
    assert_eq!(status, 200, "{discarded}");
    assert_eq!(discarded["status"], json!("discarded"));
    let (_, open) = list(&f, "");
    assert_eq!(ids(&open), vec![c.0, a.0]);
    let (_, gone) = list(&f, "?status=discarded");
    assert_eq!(ids(&gone), vec![b.0]);
    assert_eq!(discards_audited(&f), 1);

    // In a worker's hands: refused, unchanged, not audited.
    let held = f
        .store
        .claim_due_mail(Millis(DAY0 + 1), 10, Duration::from_secs(60))
        .unwrap();
    assert!(held.iter().any(|m| m.id == c), "{held:?}");
    let (status, refused) = call(
        &f.service,
        Method::Post,
        &format!("/api/mail/outbox/{c}/discard"),
        None,
        DAY0,
    );
    assert_eq!(status, 409, "{refused}");
    let (_, sending) = list(&f, "?status=sending");
    assert!(ids(&sending).contains(&c.0), "{sending}");
    assert_eq!(discards_audited(&f), 1);
}

#[test]
fn bad_outbox_requests_get_precise_errors() {
    let f = fixture(1, 0, 0);
    let (status, body) = list(&f, "?status=stuck");
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("`stuck`"), "{body}");
    for (path, want) in [
        ("/api/mail/outbox/9999/retry", 404),
        ("/api/mail/outbox/9999/discard", 404),
        ("/api/mail/outbox/abc/retry", 400),
        ("/api/mail/outbox/0/discard", 400),
    ] {
        let (status, body) = call(&f.service, Method::Post, path, None, DAY0);
        assert_eq!(status, want, "{path}: {body}");
    }
    let (status, body) = call(&f.service, Method::Get, "/api/mail/outbox/9999", None, DAY0);
    assert_eq!(status, 404, "{body}");
}
