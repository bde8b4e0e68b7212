//! Mail to admins about runs: "a run waits for approval" and the run report.
//!
//! Issue 24: a 02:00 run that trips the guard used to wait silently for
//! ever, because nothing queued the guard-tripped or run-report templates.
//! Both are queued here, through the same outbox as every other mail (one
//! cheap store write; the delivery worker sends them), to the addresses in
//! the settings' `adminMail.recipients`. The de-duplication cycle is
//! `run:<id>`: a resumed or re-planned run never mails twice, and the
//! templates screen's "last sent" groups the recipients of one run.
//!
//! A template an admin switched off, or no recipient configured, queues
//! nothing; the caller never fails a run because a mail could not be queued
//! (the run's state is what matters, and the Automation tab, dashboard and
//! audit log show it whatever happens to the mail).

use std::collections::BTreeMap;

use seatwarden_audit::{RunCounts, RunId};
use seatwarden_core::{Millis, Operation, UserKey};
use seatwarden_mail::{Cycle, Placeholder, Recipient, TemplateKind, Values, compose};

use super::mail::StoreOutbox;
use super::{Service, ServiceError};
use crate::store::PlannedAction;
use seatwarden_mail::OutboxPort;

/// Where the admin UI of this host lives, relative to the base URL: the
/// plugin's servlet (`AdminServlet.BASE_PATH`, `atlassian-plugin.xml`) or
/// the standalone server's root.
pub(crate) fn admin_page(service: &Service) -> String {
    let options = service.options();
    let base = options.base_url.trim_end_matches('/');
    if options.product == "standalone" {
        format!("{base}/")
    } else {
        format!("{base}/plugins/servlet/seatwarden/")
    }
}

/// The link an approval mail carries: the run's approval screen.
pub(crate) fn approval_url(service: &Service, run: RunId) -> String {
    format!("{}#/automation/approve/{run}", admin_page(service))
}

/// "684 users: 684 deactivate, 605 remove_from_group": what a held plan
/// would do, by action (actions are not users).
pub(crate) fn plan_summary(actions: &[PlannedAction]) -> String {
    let mut by_kind: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut users = std::collections::HashSet::new();
    for a in actions {
        if let Some(op) = &a.operation {
            *by_kind.entry(words(op)).or_default() += 1;
        }
        users.insert(&a.user);
    }
    let parts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    format!(
        "{} {}: {}",
        users.len(),
        if users.len() == 1 { "user" } else { "users" },
        parts.join(", ")
    )
}

/// "12 changes made, 1 failed, 0 skipped, for 12 users".
pub(crate) fn counts_summary(counts: &RunCounts) -> String {
    format!(
        "{} {} made, {} failed, {} skipped, for {} {}",
        counts.succeeded,
        if counts.succeeded == 1 {
            "change"
        } else {
            "changes"
        },
        counts.failed,
        counts.skipped,
        counts.users_affected,
        if counts.users_affected == 1 {
            "user"
        } else {
            "users"
        }
    )
}

fn words(op: &Operation) -> &'static str {
    match op {
        Operation::Activate { .. } => "to activate",
        Operation::Deactivate { .. } => "to deactivate",
        Operation::Suspend { .. } => "to suspend",
        Operation::Restore { .. } => "to restore",
        Operation::CancelDeletion { .. } => "deletions to cancel",
        Operation::Rename { .. } => "to rename",
        Operation::Delete { .. } => "to delete",
        Operation::AddToGroup { .. } => "to add to a group",
        Operation::RemoveFromGroup { .. } => "to remove from a group",
        Operation::ReassignIssues { .. } => "issue handovers",
        Operation::CreateGroup { .. } => "groups to create",
        Operation::DeleteGroup { .. } => "groups to delete",
        Operation::CreateUser { .. } => "users to create",
        Operation::UpdateUser { .. } => "users to update",
    }
}

/// Queues the `kind` mail about `run` to every admin recipient; returns how
/// many were queued (0 when the template is off or nobody is configured).
pub(crate) fn queue_run_mail(
    service: &Service,
    kind: TemplateKind,
    run: RunId,
    summary: &str,
    now: Millis,
) -> Result<u64, ServiceError> {
    let settings = service.settings();
    let recipients = &settings.config.settings.admin_mail.recipients;
    let Some(template) = settings
        .templates
        .iter()
        .find(|t| t.kind == kind && t.enabled)
    else {
        return Ok(0);
    };
    let options = service.options();
    let outbox = StoreOutbox::new(service.store(), now);
    let mut queued = 0;
    for to in recipients {
        let mut values = Values::new()
            .instance(&options.instance_name, &options.base_url)
            .with(Placeholder::RunId, run.to_string())
            .with(Placeholder::RunSummary, summary);
        if kind == TemplateKind::GuardTripped {
            values.set(Placeholder::ApprovalUrl, approval_url(service, run));
        }
        let cycle = Cycle(format!("run:{run}"));
        queued += u64::from(queue_to(
            &outbox, template, "admin", to, &values, cycle, now,
        ));
    }
    Ok(queued)
}

/// Composes `template` for the address `to` (keyed `<role>:<address>`, not
/// a user) and queues it; true when a new message was queued. A mail that
/// cannot be composed or stored is skipped: the caller's work goes on.
pub(crate) fn queue_to(
    outbox: &StoreOutbox<'_>,
    template: &seatwarden_mail::Template,
    role: &str,
    to: &str,
    values: &Values,
    cycle: Cycle,
    now: Millis,
) -> bool {
    let recipient = Recipient {
        key: UserKey::from(format!("{role}:{to}").as_str()),
        email: to.to_owned(),
    };
    compose(template, &recipient, values, cycle, now).is_ok_and(|message| {
        matches!(
            outbox.enqueue(message),
            Ok(seatwarden_mail::Enqueued::Queued(_))
        )
    })
}
