//! `GET /api/mail/status`: is mail going out, and what sits in the outbox.
//!
//! Issue 24: the standalone default, "use the product's outgoing mail
//! server", has no server behind it, so warnings queued and never left
//! while the templates screen said "last sent: never" and nothing else.
//! This answer is what the dashboard, the notifications screen and the mail
//! settings show: whether delivery can happen (and if not, the exact
//! reason), and queued / sending / sent / failed counts, overall and per
//! template. The service sees no product mail server (the plugin does not
//! hand it one; `docs/architecture.md`), so "product" resolves as it does
//! for delivery and for "Send test".

use std::collections::BTreeMap;

use serde_json::json;

use super::store_err;
use crate::api::{ApiError, ApiRequest, ApiResponse, Params};
use crate::service::Service;
use crate::store::{MailStatus, OutboxQuery};

#[derive(Default, serde::Serialize)]
struct Counts {
    queued: u64,
    sending: u64,
    sent: u64,
    failed: u64,
}

impl Counts {
    fn add(&mut self, status: MailStatus) {
        match status {
            MailStatus::Queued => self.queued += 1,
            MailStatus::Sending => self.sending += 1,
            MailStatus::Sent => self.sent += 1,
            MailStatus::Failed => self.failed += 1,
            // An admin's decision, not a delivery state: the outbox list
            // shows it; the delivery counts leave it out.
            MailStatus::Discarded => {}
        }
    }
}

pub(super) fn mail_status(
    service: &Service,
    _: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let settings = service.reload_settings()?;
    let product = seatwarden_mail::ProductMail::default();
    let problem = seatwarden_mail::resolve_server(&settings.mail, &product)
        .err()
        .map(|why| why.to_string());
    let mut total = Counts::default();
    let mut by_template: BTreeMap<String, Counts> = BTreeMap::new();
    let mut query = OutboxQuery {
        limit: 1_000,
        ..OutboxQuery::default()
    };
    loop {
        let page = service.store().list_mail(&query).map_err(store_err)?;
        for m in &page.items {
            total.add(m.status);
            by_template
                .entry(m.template_id.clone())
                .or_default()
                .add(m.status);
        }
        match page.next {
            Some(next) => query.after = Some(next),
            None => break,
        }
    }
    ApiResponse::json(&json!({
        "delivery": {"available": problem.is_none(), "problem": problem},
        "outbox": total,
        // A list, not an object keyed by id: ids are the admin's words.
        "byTemplate": by_template
            .into_iter()
            .map(|(template, counts)| json!({"template": template, "counts": counts}))
            .collect::<Vec<_>>(),
    }))
}
