//! The outbox list's Retry and Discard, as every backend must keep them:
//! only a queued or failed message changes; a retried one is due at once
//! and keeps its history; a discarded one is never claimed and still holds
//! its de-duplication key; an unknown id is `MailNotFound`.

use seatwarden_core::Millis;

use super::{Check, e2s, mail};
use crate::store::{MailId, MailStatus, OutboxQuery, Store, StoreError};

fn status_of(s: &dyn Store, id: MailId) -> Result<MailStatus, String> {
    let page = s
        .list_mail(&OutboxQuery {
            limit: 100,
            ..OutboxQuery::default()
        })
        .map_err(e2s)?;
    page.items
        .iter()
        .find(|m| m.id == id)
        .map(|m| m.status)
        .ok_or_else(|| format!("mail {id} not listed"))
}

/// Retry and Discard change only queued or failed messages.
pub fn outbox_retry_and_discard(s: &dyn Store) -> Check {
    let now = Millis(1_800_000_000_000);
    let later = Millis(now.0 + 3_600_000);
    let claim = std::time::Duration::from_secs(60);
    let a = s.enqueue_mail(&mail("K1:warning:9", now)).map_err(e2s)?.id;
    let b = s.enqueue_mail(&mail("K2:warning:9", now)).map_err(e2s)?.id;

    // A final failure, then Retry: queued, due now, attempts and the last
    // error kept; the next claim at that instant takes it.
    let claimed = s.claim_due_mail(now, 1, claim).map_err(e2s)?;
    ensure!(
        claimed.iter().map(|m| m.id).collect::<Vec<_>>() == vec![a],
        "first claim {claimed:?}"
    );
    s.mark_mail_failed(a, now, "smtp 550", None).map_err(e2s)?;
    ensure!(
        s.retry_mail(a, later).map_err(e2s)?,
        "failed mail not retried"
    );
    let page = s.list_mail(&OutboxQuery::default()).map_err(e2s)?;
    let m = page
        .items
        .iter()
        .find(|m| m.id == a)
        .ok_or("retried mail not listed")?;
    ensure!(
        m.status == MailStatus::Queued
            && m.next_attempt_at == later
            && m.attempts == 1
            && m.last_error.as_deref() == Some("smtp 550"),
        "retried mail {m:?}"
    );
    // Discard: never claimed again, listed as discarded, its key still held.
    ensure!(
        status_of(s, b)? == MailStatus::Queued,
        "b not queued: {:?}",
        status_of(s, b)
    );
    ensure!(
        s.discard_mail(b, later).map_err(e2s)?,
        "queued mail not discarded"
    );
    ensure!(!s.discard_mail(b, later).map_err(e2s)?, "discarded twice");
    ensure!(
        !s.retry_mail(b, later).map_err(e2s)?,
        "discarded mail retried"
    );
    let dup = s.enqueue_mail(&mail("K2:warning:9", later)).map_err(e2s)?;
    ensure!(
        !dup.new && dup.id == b,
        "a discarded warning was queued again in its cycle"
    );
    let discarded = s
        .list_mail(&OutboxQuery {
            statuses: vec![MailStatus::Discarded],
            ..OutboxQuery::default()
        })
        .map_err(e2s)?;
    ensure!(
        discarded.items.iter().map(|m| m.id).collect::<Vec<_>>() == vec![b],
        "discarded listing {:?}",
        discarded.items
    );

    let again = s.claim_due_mail(later, 10, claim).map_err(e2s)?;
    ensure!(
        again.iter().map(|m| m.id).collect::<Vec<_>>() == vec![a],
        "a retried mail is not due at once, or a discarded one was claimed: {again:?}"
    );

    // A message in a worker's hands is neither retried nor discarded.
    ensure!(
        status_of(s, a)? == MailStatus::Sending,
        "claimed mail not sending"
    );
    ensure!(
        !s.retry_mail(a, later).map_err(e2s)?,
        "sending mail retried"
    );
    ensure!(
        !s.discard_mail(a, later).map_err(e2s)?,
        "sending mail discarded"
    );
    ensure!(
        status_of(s, a)? == MailStatus::Sending,
        "a refused action changed the mail"
    );
    s.mark_mail_sent(a, later).map_err(e2s)?;
    ensure!(!s.retry_mail(a, later).map_err(e2s)?, "sent mail retried");
    ensure!(
        status_of(s, a)? == MailStatus::Sent,
        "a refused retry changed a sent mail"
    );

    let due = s
        .claim_due_mail(Millis(i64::MAX / 2), 10, claim)
        .map_err(e2s)?;
    ensure!(
        due.iter().all(|m| m.id != b),
        "a discarded mail was claimed"
    );
    for result in [
        s.retry_mail(MailId(9_999), now),
        s.discard_mail(MailId(9_999), now),
    ] {
        ensure!(
            matches!(result, Err(StoreError::MailNotFound(_))),
            "unknown mail: {result:?}"
        );
    }
    Ok(())
}
