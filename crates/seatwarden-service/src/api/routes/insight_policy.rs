//! The dashboard's "licensed users idle 90+ days" insight, counted by the
//! policy its "Take action" button opens (issue 24).
//!
//! The insight used to count licensed users whose last *login* was 90 days
//! back, while the policy it suggested read the counted activity signals,
//! acted on unlicensed users too, never on users who never logged in, and
//! skipped protected and exempt users: the admin saw "163 idle", opened the
//! policy and its preview said 141. Now the suggested policy is built first
//! and the insight's numbers are its own evaluation, by the engine, over
//! the same settings (protected groups, the automation account,
//! exemptions): `matched` users are idle, `users` of them would be acted on,
//! and every skipped one is counted under its reason in the message. The
//! editor's preview of the prefilled policy shows the same counts.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use seatwarden_core::evaluate::evaluate;
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::plan::{PlanOrder, SkipReason};
use seatwarden_core::policy::{
    Action, Condition, Inactivity, Mode, Policy, PolicyId, Scope, Target, Trigger,
};
use seatwarden_core::{GroupName, Millis};

use crate::service::{Service, ServiceError};

/// Days the insight and its policy call idle.
pub(super) const IDLE_DAYS: u32 = 90;

/// One dashboard insight.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Insight {
    pub(super) kind: &'static str,
    pub(super) message: String,
    /// Users the suggested policy would act on (for `idle_licensed`).
    pub(super) users: u64,
    pub(super) percent_of_seats: f64,
    /// Users the suggested policy's condition matched, before its skips.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) matched: Option<u64>,
    /// Matched users it would not act on, per reason ("system
    /// administrator (always protected)": 2).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) skipped: BTreeMap<String, u64>,
    /// A policy the UI can offer as "take action" (safe mode).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(super) suggested_policy: Option<Value>,
}

/// The policy "Take action" opens: deactivate licensed users (members of a
/// licence group) idle for [`IDLE_DAYS`] by the counted signals, never
/// logged in users counted from creation, in safe mode.
fn suggested(index: &DirectoryIndex) -> Policy {
    let licence_groups: Vec<GroupName> = index
        .groups()
        .iter()
        .enumerate()
        .filter(|(i, _)| u32::try_from(*i).is_ok_and(|g| index.is_licence_group(g)))
        .map(|(_, g)| g.name.clone())
        .collect();
    Policy {
        id: PolicyId::from("insight-idle-licensed"),
        name: format!("Deactivate licensed users idle {IDLE_DAYS}+ days"),
        enabled: true,
        mode: Mode::Safe,
        priority: 0,
        trigger: Trigger::Scheduler,
        scope: Scope {
            target: Target::OnlyGroups(licence_groups),
            ..Scope::default()
        },
        condition: Condition::Inactive(Inactivity {
            days: IDLE_DAYS,
            never_logged_in_days: Some(IDLE_DAYS),
            once_logged_in_days: None,
        }),
        signals: None,
        action: Action::Deactivate {
            rename_suffix: None,
            handover: None,
        },
        warning: None,
        review: None,
    }
}

/// The insight, or `None` when nobody is idle.
pub(super) fn idle_licensed(
    service: &Service,
    now: Millis,
) -> Result<Option<Insight>, ServiceError> {
    let people = service.people()?;
    let settings = service.settings();
    service.with_index(|index| {
        let policy = suggested(index);
        let mut config = settings.config.clone();
        config.policies = vec![policy.clone()];
        let ctx = service.eval_context(now, None, true, Vec::new(), people);
        let plan = evaluate(&config, index, now, &ctx);
        // Counted from the compact plan: rendering every write and skip to
        // count them took most of the dashboard's time at 1M users.
        let totals = plan.source_totals();
        let figures = totals.get(policy.id.as_str())?;
        if figures.matched == 0 {
            return None;
        }
        let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
        for skip in PlanOrder::skip_totals(&plan) {
            *skipped.entry(reason_label(&skip.reason)).or_default() += skip.users;
        }
        let licensed = index.licensed_bitmap().len();
        let pct = if licensed == 0 {
            0.0
        } else {
            (figures.matched as f64) * 100.0 / (licensed as f64)
        };
        let mut message = format!(
            "{} licensed {} idle {IDLE_DAYS}+ days — {pct:.1} % of seats",
            figures.matched,
            if figures.matched == 1 {
                "user"
            } else {
                "users"
            }
        );
        if figures.acted_on != figures.matched {
            let why: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
            message.push_str(&format!(
                "; the suggested policy would deactivate {} (not: {})",
                figures.acted_on,
                why.join(", ")
            ));
        }
        Some(Insight {
            kind: "idle_licensed",
            message,
            users: figures.acted_on,
            percent_of_seats: pct,
            matched: Some(figures.matched),
            skipped,
            suggested_policy: serde_json::to_value(&policy).ok().map(|mut v| {
                if let Some(fields) = v.as_object_mut() {
                    // The editor creates the policy: it gets its own id.
                    fields.remove("id");
                }
                v
            }),
        })
    })
}

/// A skip reason without per-user detail (who granted an exemption, why),
/// so users skipped for one reason count together.
fn reason_label(reason: &SkipReason) -> String {
    match reason {
        SkipReason::Exempt { .. } => "exempt".to_owned(),
        other => other.to_string(),
    }
}
