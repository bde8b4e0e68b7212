//! The admin API's answer shapes for records the store keeps in its own
//! spelling: operation runs, audit entries (and their summary cards) and
//! mail templates.
//!
//! Why a second set of types: the store's structs serialise in snake_case
//! (`started_at`, `client_ip`, `html_body`), because that is how the store,
//! the journal and the configuration document have always written them and
//! changing it would rewrite every stored record. Everything else the API
//! answers is camelCase, and the UI used to convert every answer's keys
//! (`camel()`), which also rewrote keys it should not touch. So the wire
//! speaks camelCase everywhere, and this module is the one place where a
//! stored record becomes its wire form (and a template's request body
//! becomes the stored template). Each conversion destructures the stored
//! struct whole, so a new stored field fails to compile here until it is
//! given its wire name.

use serde::{Deserialize, Serialize};

use seatwarden_audit::{
    Action, Actor, AuditEntry, AuditId, Initiator, OperationRun, PlanHash, PolicyId, RunCounts,
    RunId, RunKind, RunStatus, Status, StoredEntry, SummaryCards, Target,
};
use seatwarden_core::{GroupName, Millis, UserKey};
use seatwarden_mail::{LastSend, Template, TemplateId, TemplateKind, Timing};

/// `From<$from> for $to` (and back, with `<=>`) by moving each named field
/// across; fields listed after `converting` go through their own `From`. The source is
/// destructured whole, so a field added to it fails to compile here until
/// it is listed (and so given its wire name).
macro_rules! moved {
    ($from:ident => $to:ident { $($field:ident),* $(,)? } $(converting { $($conv:ident),* $(,)? })?) => {
        impl From<$from> for $to {
            fn from(value: $from) -> $to {
                let $from { $($field,)* $($($conv,)*)? } = value;
                $to { $($field,)* $($($conv: $conv.into(),)*)? }
            }
        }
    };
    ($one:ident <=> $other:ident { $($field:ident),* $(,)? }) => {
        moved!($one => $other { $($field),* });
        moved!($other => $one { $($field),* });
    };
}

/// An operation run as the API answers it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunWire {
    id: RunId,
    kind: RunKind,
    name: String,
    initiator: Initiator,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicyId>,
    started_at: Millis,
    #[serde(skip_serializing_if = "Option::is_none")]
    finished_at: Option<Millis>,
    status: RunStatus,
    counts: CountsWire,
    #[serde(skip_serializing_if = "Option::is_none")]
    plan_hash: Option<PlanHash>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reverts: Option<RunId>,
    /// How long it worked (milliseconds), once finished: start to finish
    /// minus [`RunWire::approval_wait_ms`].
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_ms: Option<i64>,
    /// How long it waited for an admin to approve or discard it
    /// (milliseconds), once decided; absent for a run never held.
    #[serde(skip_serializing_if = "Option::is_none")]
    approval_wait_ms: Option<i64>,
}

impl RunWire {
    /// With the run's approval wait (see [`crate::service::ApprovalWait`]):
    /// the wait is shown apart and left out of the duration.
    pub fn with_wait(mut self, wait: Option<&crate::service::ApprovalWait>) -> RunWire {
        if let Some(waited) = wait.and_then(crate::service::ApprovalWait::millis) {
            self.approval_wait_ms = Some(waited);
            self.duration_ms = self.duration_ms.map(|d| d.saturating_sub(waited).max(0));
        }
        self
    }
}

/// A run's counts as the API answers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountsWire {
    users_affected: u64,
    succeeded: u64,
    failed: u64,
    skipped: u64,
}

moved!(RunCounts => CountsWire {
    users_affected,
    succeeded,
    failed,
    skipped,
});

impl From<OperationRun> for RunWire {
    fn from(run: OperationRun) -> RunWire {
        RunWire {
            duration_ms: run.duration_ms(),
            approval_wait_ms: None,
            counts: run.counts.into(),
            id: run.id,
            kind: run.kind,
            name: run.name,
            initiator: run.initiator,
            policy: run.policy,
            started_at: run.started_at,
            finished_at: run.finished_at,
            status: run.status,
            plan_hash: run.plan_hash,
            reverts: run.reverts,
        }
    }
}

/// Runs as the API answers them (no approval waits: see [`runs_with_waits`]).
pub fn runs(runs: Vec<OperationRun>) -> Vec<RunWire> {
    runs.into_iter().map(RunWire::from).collect()
}

/// Runs as the API answers them, each duration without its approval wait.
pub fn runs_with_waits(
    runs: Vec<OperationRun>,
    waits: &std::collections::HashMap<RunId, crate::service::ApprovalWait>,
) -> Vec<RunWire> {
    runs.into_iter()
        .map(|r| {
            let id = r.id;
            RunWire::from(r).with_wait(waits.get(&id))
        })
        .collect()
}

/// An audit entry as the API answers it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryWire {
    id: AuditId,
    at: Millis,
    actor: Actor,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_ip: Option<std::net::IpAddr>,
    action: Action,
    target: TargetWire,
    status: Status,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<RunId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<PolicyId>,
}

/// An audit entry's target as the API answers it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    user: Option<UserKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<GroupName>,
}

moved!(Target => TargetWire { user, user_name, group });

impl From<StoredEntry> for AuditEntryWire {
    /// The id beside the entry's own fields (the store flattens them too).
    fn from(stored: StoredEntry) -> AuditEntryWire {
        let AuditEntry {
            at,
            actor,
            client_ip,
            action,
            target,
            status,
            description,
            reason,
            run,
            policy,
        } = stored.entry;
        AuditEntryWire {
            id: stored.id,
            at,
            actor,
            client_ip,
            action,
            target: target.into(),
            status,
            description,
            reason,
            run,
            policy,
        }
    }
}

/// Audit entries as the API answers them.
pub fn audit_entries(entries: Vec<StoredEntry>) -> Vec<AuditEntryWire> {
    entries.into_iter().map(AuditEntryWire::from).collect()
}

/// The audit page's summary cards as the API answers them.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SummaryWire {
    window_start: Millis,
    operations: u64,
    succeeded: u64,
    succeeded_pct: f64,
    failed: u64,
    failed_pct: f64,
    partially_failed: u64,
    partially_failed_pct: f64,
    in_progress: u64,
    awaiting_approval: u64,
    users_affected: u64,
}

moved!(SummaryCards => SummaryWire {
    window_start,
    operations,
    succeeded,
    succeeded_pct,
    failed,
    failed_pct,
    partially_failed,
    partially_failed_pct,
    in_progress,
    awaiting_approval,
    users_affected,
});

/// A mail template as the API answers it and as a request writes it (the
/// same fields both ways; `lastSend` is the scheduler's, kept as sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateWire {
    id: TemplateId,
    name: String,
    kind: TemplateKind,
    timing: Timing,
    subject: String,
    html_body: String,
    #[serde(default)]
    bcc: Vec<String>,
    enabled: bool,
    #[serde(default)]
    last_send: Option<LastSend>,
}

/// The request field that holds a template's body (for problem paths).
pub const TEMPLATE_BODY_FIELD: &str = "htmlBody";

moved!(Template <=> TemplateWire {
    id,
    name,
    kind,
    timing,
    subject,
    html_body,
    bcc,
    enabled,
    last_send,
});

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Every key of `value`, at any depth, in camelCase (no `_`).
    fn snake_keys(value: &Value, path: &str, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    if k.contains('_') {
                        out.push(format!("{path}.{k}"));
                    }
                    snake_keys(v, &format!("{path}.{k}"), out);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| snake_keys(v, path, out)),
            _ => {}
        }
    }

    #[test]
    fn a_stored_run_is_served_in_camel_case() {
        let mut run = OperationRun::from_new(
            RunId(7),
            &seatwarden_audit::NewRun::new(
                RunKind::ScheduledCleanup,
                "Idle",
                Initiator::Automated,
                Millis(5),
            ),
        );
        run.finished_at = Some(Millis(9));
        run.plan_hash = Some(PlanHash("h".into()));
        run.counts.users_affected = 3;
        let wire = serde_json::to_value(RunWire::from(run)).unwrap();
        let mut snake = Vec::new();
        snake_keys(&wire, "", &mut snake);
        assert_eq!(snake, Vec::<String>::new(), "{wire}");
        assert_eq!(wire["startedAt"], json!(5));
        assert_eq!(wire["finishedAt"], json!(9));
        assert_eq!(wire["planHash"], json!("h"));
        assert_eq!(wire["counts"]["usersAffected"], json!(3));
    }

    #[test]
    fn a_stored_audit_entry_is_served_in_camel_case() {
        let entry = AuditEntry::new(
            Millis(1),
            Actor::user("K1", None),
            Action::UserDeactivated,
            Status::Success,
        )
        .with_target(Target::user(UserKey::from("K2"), Some("bob".into())))
        .with_client_ip("127.0.0.1".parse().unwrap());
        let wire = serde_json::to_value(AuditEntryWire::from(StoredEntry {
            id: AuditId(4),
            entry,
        }))
        .unwrap();
        let mut snake = Vec::new();
        snake_keys(&wire, "", &mut snake);
        assert_eq!(snake, Vec::<String>::new(), "{wire}");
        assert_eq!(wire["clientIp"], json!("127.0.0.1"));
        assert_eq!(wire["target"]["userName"], json!("bob"));
        assert_eq!(wire["id"], json!(4));
    }

    #[test]
    fn a_template_round_trips_through_its_wire_form_in_camel_case() {
        let template = Template {
            id: TemplateId("welcome".into()),
            name: "Welcome".into(),
            kind: TemplateKind::Welcome,
            timing: Timing::OnEvent,
            subject: "Hi".into(),
            html_body: "<p>Hi</p>".into(),
            bcc: vec!["a@example.test".into()],
            enabled: true,
            last_send: None,
        };
        let wire = serde_json::to_value(TemplateWire::from(template.clone())).unwrap();
        let mut snake = Vec::new();
        snake_keys(&wire, "", &mut snake);
        assert_eq!(snake, Vec::<String>::new(), "{wire}");
        assert_eq!(wire[TEMPLATE_BODY_FIELD], json!("<p>Hi</p>"));
        let back: TemplateWire = serde_json::from_value(wire).unwrap();
        assert_eq!(Template::from(back), template);
    }
}
