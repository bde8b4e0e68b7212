//! The "access removed" notice (issue 21): after a policy's live run has
//! deactivated, suspended or unlicensed someone, a mail that says so and
//! carries the signed link to ask for the access back.
//!
//! Why after the run and from its journal: the notice must name only what
//! really happened, so it is queued from the outcomes that succeeded, once
//! the run has finished (a failed deactivation sends nothing). It goes out
//! once per user and removal: the outbox de-duplicates on the cycle
//! `removed:<policy>:<run>`, so a resumed finish, a second node or a retry
//! adds nothing, and a later removal (another run) is a new notice.
//!
//! The policy opts in with `warning.accessRequest.noticeOnRemoval`, and
//! the link follows the same `accessRequest` settings as the warning's: its
//! page offers what the issue says for "after removal" (the request waits
//! for an admin's approval in the Access requests list, or restores at once
//! when `onRequest` is `restore` with `atOnce`). The link is bound to the
//! user, the policy and the run's start (its cycle), and asks for
//! [`super::link::Purpose::Restore`]. The mail is the admin-editable
//! `access_removed` template, rendered like every other mail, so what the
//! template preview shows is what the user gets.

use std::collections::BTreeSet;

use seatwarden_audit::OperationRun;
use seatwarden_core::Millis;
use seatwarden_core::policy::{AccessRequestSettings, Action, OnRequest};
use seatwarden_mail::{Cycle, OutboxPort, Placeholder, Recipient, TemplateKind, Values, compose};

use crate::Service;
use crate::service::{ServiceError, StoreOutbox, action_words};
use crate::store::{OutcomeStatus, RunJournal};

/// Whether `action` takes access away (the notice's subject). Deleting an
/// account is not: nothing can be given back.
fn removes_access(action: &Action) -> bool {
    matches!(
        action,
        Action::Deactivate { .. } | Action::Suspend | Action::RemoveLicenceGroups { .. }
    )
}

/// The notice's de-duplication cycle: one per policy and run.
pub(crate) fn notice_cycle(run: &OperationRun) -> Option<Cycle> {
    Some(Cycle(format!(
        "removed:{}:{}",
        run.policy.as_ref()?,
        run.id
    )))
}

/// Queues the notice to every user whose access run `run` removed, when
/// its policy asks for it; answers how many were queued. A notice that
/// cannot be composed (no address) is skipped; the run stays finished.
pub(crate) fn queue_removal_notices(
    service: &Service,
    run: &OperationRun,
    journal: &RunJournal,
    now: Millis,
) -> Result<u64, ServiceError> {
    let settings = service.settings();
    let Some(policy) = run
        .policy
        .as_ref()
        .and_then(|id| settings.config.policy(id))
    else {
        return Ok(0);
    };
    let Some(offered) = policy
        .warning
        .as_ref()
        .and_then(|w| w.access_request.as_ref())
        .filter(|a| a.notice_on_removal)
    else {
        return Ok(0);
    };
    if !removes_access(&policy.action) || service.options().preview_only {
        return Ok(0);
    }
    let Some(template) = settings
        .templates
        .iter()
        .find(|t| t.kind == TemplateKind::AccessRemoved && t.enabled)
    else {
        return Ok(0);
    };
    let removed: BTreeSet<_> = journal
        .outcomes
        .iter()
        .filter(|o| o.status == OutcomeStatus::Succeeded)
        .map(|o| o.user.clone())
        .collect();
    if removed.is_empty() {
        return Ok(0);
    }
    // The notice is about the link: without the secret there is nothing to
    // offer, so nothing is sent (the next finish of this run cannot retry,
    // and the warning's link, if one was sent, still works).
    let Some(secret) = super::link_secret(service, now) else {
        return Ok(0);
    };
    let Some(cycle) = notice_cycle(run) else {
        return Ok(0);
    };
    // The notice's link asks for the access back whatever a warning's
    // asks for: signed as a restore link (its page then follows the
    // policy's `onRequest`, see `request::act`).
    let asks_back = AccessRequestSettings {
        on_request: OnRequest::Restore {
            at_once: matches!(offered.on_request, OnRequest::Restore { at_once: true }),
        },
        ..offered.clone()
    };
    service.ensure_index()?;
    let options = service.options();
    let words = action_words(&policy.action);
    let mut messages = Vec::new();
    {
        let slot = service.index.read();
        let Some(index) = slot.index.as_ref() else {
            return Ok(0);
        };
        for key in &removed {
            let Some(user) = index
                .index_of_key(key)
                .and_then(|i| index.user(i))
                .map(|v| v.to_user())
            else {
                continue;
            };
            let url = super::link_for(
                service,
                &secret,
                key,
                &policy.id,
                &asks_back,
                run.started_at,
                now,
            );
            let values = Values::new()
                .instance(&options.instance_name, &options.base_url)
                .user(&user, now)
                .action(&words, now, now)
                .with(Placeholder::RequestAccessUrl, url);
            // A template edited to leave the link out still gets it.
            let with_link = super::with_removal_link_paragraph(template);
            let template = with_link.as_ref().unwrap_or(template);
            let recipient = Recipient {
                key: key.clone(),
                email: user.email.clone(),
            };
            if let Ok(m) = compose(template, &recipient, &values, cycle.clone(), now) {
                messages.push(m);
            }
        }
    }
    let outbox = StoreOutbox::new(service.store(), now);
    let mut queued = 0;
    for m in messages {
        if let Ok(seatwarden_mail::Enqueued::Queued(_)) = outbox.enqueue(m) {
            queued += 1;
        }
    }
    Ok(queued)
}
