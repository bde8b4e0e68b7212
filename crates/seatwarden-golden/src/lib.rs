//! The golden scenarios of `tests/golden/` (format: `tests/golden/README.md`):
//! what the engine makes of one file, answered in the line formats the
//! files' `expect` uses.
//!
//! One evaluation, read twice: this crate's test compares it with `expect`
//! under `cargo test`, and JUnit runs the same files through the JNI
//! library's testing entry point (which calls [`outcome`]) and compares on
//! the Java side. So a plan differing between `cargo test` and the library
//! Java loads would show up in both places.

use serde_json::{Map, Value, json};

use seatwarden_core::config::Config;
use seatwarden_core::evaluate::{EvalContext, evaluate};
use seatwarden_core::exemption::{Exemption, ExemptionScope, GrantedBy};
use seatwarden_core::index::DirectoryIndex;
use seatwarden_core::login::LoginEvaluator;
use seatwarden_core::operation::{Handover, Operation};
use seatwarden_core::plan::{PlanStatus, SkipReason};
use seatwarden_core::policy::PolicyId;
use seatwarden_core::schedule::Schedule;
use seatwarden_core::warning::{Warned, due_warnings};
use seatwarden_core::{Millis, UserKey};

/// A golden file the engine cannot even read (its configuration, snapshot
/// or a field is malformed): the message says which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldenError(pub String);

impl std::fmt::Display for GoldenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for GoldenError {}

fn bad(what: impl Into<String>) -> GoldenError {
    GoldenError(what.into())
}

/// `KEY kind [argument]`, the form the golden files list operations in.
fn op_line(op: &Operation) -> String {
    match op {
        Operation::Activate { user } => format!("{user} activate"),
        Operation::Deactivate { user } => format!("{user} deactivate"),
        Operation::Suspend { user } => format!("{user} suspend"),
        Operation::Restore { user } => format!("{user} restore"),
        Operation::CancelDeletion { user } => format!("{user} cancel_deletion"),
        Operation::Rename { user, to } => format!("{user} rename {to}"),
        Operation::Delete { user } => format!("{user} delete"),
        Operation::AddToGroup { user, group } => format!("{user} add_to_group {group}"),
        Operation::RemoveFromGroup { user, group } => format!("{user} remove_from_group {group}"),
        Operation::ReassignIssues { user, to } => match to {
            Handover::Unassigned => format!("{user} reassign_issues unassigned"),
            Handover::ProjectLead => format!("{user} reassign_issues project_lead"),
            Handover::User(k) => format!("{user} reassign_issues user:{k}"),
        },
        other => other.to_string(),
    }
}

/// `kind [detail]` of a skip reason.
fn reason_line(reason: &SkipReason) -> String {
    let detail = match reason {
        SkipReason::ProtectedGroup { group }
        | SkipReason::RestrictedGroup { group }
        | SkipReason::NoSeat { group } => Some(group.to_string()),
        SkipReason::ReadOnlyDirectory { directory } | SkipReason::ExternalAccount { directory } => {
            Some(directory.to_string())
        }
        SkipReason::Conflict { winner, .. } => Some(winner.label()),
        SkipReason::NotWarnedYet {
            acts_from: Some(at),
            ..
        } => Some(at.date_string()),
        SkipReason::Exempt { until, .. } => Some(
            until
                .map(seatwarden_core::exemption::last_day)
                .unwrap_or_else(|| "indefinitely".to_owned()),
        ),
        _ => None,
    };
    let kind = tag(reason, "kind");
    match detail {
        Some(d) => format!("{kind} {d}"),
        None => kind,
    }
}

/// The string field `field` of `value` serialised.
fn tag<T: serde::Serialize>(value: &T, field: &str) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.get(field).and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn instant(v: Option<&Value>, what: &str) -> Result<Millis, GoldenError> {
    v.and_then(Value::as_str)
        .and_then(Millis::parse_rfc3339)
        .ok_or_else(|| bad(format!("field `{what}` is not an RFC 3339 instant")))
}

fn context(doc: &Value) -> Result<EvalContext, GoldenError> {
    let mut ctx = EvalContext::default();
    let Some(c) = doc.get("context") else {
        return Ok(ctx);
    };
    if let Some(a) = c.get("actingAdmin").and_then(Value::as_str) {
        ctx.acting_admin = Some(UserKey::from(a));
    }
    if let Some(m) = c.get("auditDeactivations").and_then(Value::as_object) {
        let mut out = Vec::new();
        for (k, t) in m {
            out.push((
                UserKey::from(k.as_str()),
                instant(Some(t), "auditDeactivations")?,
            ));
        }
        ctx.audit_deactivations = out.into_iter().collect();
    }
    if let Some(bp) = c.get("previousNeverLoggedInBp").and_then(Value::as_u64) {
        ctx.previous_never_logged_in_bp = u32::try_from(bp).ok();
    }
    if let Some(only) = c.get("only") {
        ctx.only = Some(
            strings(Some(only))
                .into_iter()
                .map(PolicyId::from)
                .collect(),
        );
    }
    ctx.preview = c.get("preview").and_then(Value::as_bool).unwrap_or(false);
    if let Some(list) = c.get("warned").and_then(Value::as_array) {
        for w in list {
            let user = w
                .get("user")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("a `warned` entry needs a `user`"))?;
            let sent_at = match w.get("sentAt") {
                None | Some(Value::Null) => None,
                t => Some(instant(t, "warned[].sentAt")?),
            };
            ctx.warned.push(Warned {
                user: UserKey::from(user),
                cycle: instant(w.get("cycle"), "warned[].cycle")?,
                sent_at,
            });
        }
    }
    if let Some(list) = c.get("exemptions").and_then(Value::as_array) {
        for e in list {
            ctx.exemptions.push(exemption(e)?);
        }
    }
    for pair in strings(c.get("reviewApproved")) {
        let (policy, user) = pair
            .split_once('/')
            .ok_or_else(|| bad("a `reviewApproved` entry is `POLICY/KEY`"))?;
        ctx.review_approved
            .push((PolicyId::from(policy), UserKey::from(user)));
    }
    Ok(ctx)
}

/// `{ "user", "policy" (an id or `*`), "until" (RFC 3339 or null),
/// "reason", "grantedBy" (as the API writes it), "createdAt" }`.
fn exemption(e: &Value) -> Result<Exemption, GoldenError> {
    let text = |f: &str| {
        e.get(f)
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("an exemption needs `{f}`")))
    };
    let scope = match text("policy")? {
        "*" => ExemptionScope::All,
        id => ExemptionScope::Policy(PolicyId::from(id)),
    };
    let until = match e.get("until") {
        None | Some(Value::Null) => None,
        t => Some(instant(t, "exemptions[].until")?),
    };
    let granted_by: GrantedBy =
        serde_json::from_value(e.get("grantedBy").cloned().unwrap_or(Value::Null))
            .map_err(|err| bad(format!("an exemption's `grantedBy` is invalid: {err}")))?;
    Ok(Exemption {
        user: UserKey::from(text("user")?),
        scope,
        until,
        reason: text("reason")?.to_owned(),
        granted_by,
        created_at: instant(e.get("createdAt"), "exemptions[].createdAt")?,
    })
}

fn load(doc: &Value) -> Result<(Config, DirectoryIndex, Millis), GoldenError> {
    let config = Config::from_value(doc.get("config").cloned().unwrap_or(Value::Null))
        .map_err(|e| bad(format!("golden config is invalid: {e}")))?;
    let snapshot = serde_json::to_vec(doc.get("snapshot").unwrap_or(&Value::Null))
        .map_err(|_| bad("golden snapshot is not JSON"))?;
    let index = DirectoryIndex::from_snapshot_json(&snapshot)
        .map_err(|e| bad(format!("golden snapshot is invalid: {e}")))?;
    Ok((config, index, instant(doc.get("now"), "now")?))
}

fn plan(doc: &Value) -> Result<Value, GoldenError> {
    let (config, index, now) = load(doc)?;
    let ctx = context(doc)?;
    let plan = evaluate(&config, &index, now, &ctx);
    let document = plan.document(&index);
    // The document must serialise: it is what the CLI prints.
    serde_json::to_string(&document)
        .map_err(|e| bad(format!("the plan document does not serialise: {e}")))?;
    let status = match plan.status() {
        PlanStatus::Preview => "preview",
        PlanStatus::Ready => "ready",
        PlanStatus::NeedsApproval { .. } => "needs_approval",
        PlanStatus::Paused { .. } => "paused",
    };
    let operations: Vec<String> = plan
        .actions(&index)
        .iter()
        .map(|a| op_line(&a.operation))
        .collect();
    let skipped: Vec<String> = plan
        .skips(&index)
        .iter()
        .map(|s| format!("{} {} {}", s.user, s.source.label(), reason_line(&s.reason)))
        .collect();
    // The rendered reason of each skipped user's first skip.
    let mut skip_texts = Map::new();
    for s in plan.skips(&index) {
        skip_texts
            .entry(s.user.to_string())
            .or_insert_with(|| Value::String(s.reason.to_string()));
    }
    let mut reasons = Map::new();
    for user in &document.users {
        if let Some(first) = user.actions.first() {
            reasons
                .entry(user.user.to_string())
                .or_insert_with(|| Value::String(first.because.clone()));
        }
    }
    let warnings: Vec<String> = plan.warnings.iter().map(|w| tag(w, "kind")).collect();
    let guard: Vec<String> = plan.guard.iter().map(|g| tag(g, "threshold")).collect();
    let health: Vec<String> = plan.health.iter().map(|h| tag(h, "kind")).collect();
    let due: Vec<String> = due_warnings(&config, &index, now, &ctx)
        .iter()
        .map(|w| format!("{}/{}/{}/{}", w.policy, w.user, w.cycle, w.acts_at))
        .collect();
    Ok(json!({
        "mode": serde_json::to_value(plan.mode()).unwrap_or(Value::Null),
        "status": status,
        "operations": operations,
        "skipped": skipped,
        "reasons": reasons,
        "skipTexts": skip_texts,
        "warnings": warnings,
        "guard": guard,
        "health": health,
        "due": due,
    }))
}

fn login(doc: &Value) -> Result<Value, GoldenError> {
    let (config, index, now) = load(doc)?;
    let evaluator = LoginEvaluator::new(&config, &index, None);
    let mut logins = Vec::new();
    for login in doc
        .get("logins")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("field `logins` is not an array"))?
    {
        let username = login
            .get("user")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("a login has no `user`"))?;
        let user = index
            .index_of_username(username)
            .ok_or_else(|| bad("a golden login names an unknown user"))?;
        let plan = evaluator.evaluate(&index, user, now);
        let document = evaluator.document(&index, &plan);
        let operations: Vec<String> = document
            .actions
            .iter()
            .map(|a| op_line(&a.operation))
            .collect();
        let skipped: Vec<String> = document
            .skipped
            .iter()
            .map(|s| {
                let policy = s.policy.as_ref().map_or("*".to_owned(), |p| p.to_string());
                format!("{policy} {}", reason_line(&s.reason))
            })
            .collect();
        logins.push(json!({"user": username, "operations": operations, "skipped": skipped}));
    }
    Ok(json!({ "logins": logins }))
}

fn schedule(doc: &Value) -> Result<Value, GoldenError> {
    let schedule: Schedule =
        serde_json::from_value(doc.get("schedule").cloned().unwrap_or(Value::Null))
            .map_err(|e| bad(format!("golden schedule is invalid: {e}")))?;
    let compiled = schedule
        .compile(
            doc.get("defaultTimezone")
                .and_then(Value::as_str)
                .unwrap_or("UTC"),
        )
        .map_err(|e| bad(format!("golden schedule does not compile: {e}")))?;
    let mut at = instant(doc.get("after"), "after")?;
    let wanted = strings(doc.get("expect").and_then(|e| e.get("runs"))).len();
    let mut runs = Vec::new();
    for _ in 0..wanted {
        match compiled.next_after(at) {
            Some(next) => {
                runs.push(next.to_string());
                at = next;
            }
            None => break,
        }
    }
    Ok(json!({ "runs": runs }))
}

/// What the engine makes of one golden file (`kind` plan, login or
/// schedule), in the shape of the file's `expect`.
pub fn outcome(doc: &Value) -> Result<Value, GoldenError> {
    match doc.get("kind").and_then(Value::as_str) {
        Some("plan") => plan(doc),
        Some("login") => login(doc),
        Some("schedule") => schedule(doc),
        _ => Err(bad("field `kind` must be `plan`, `login` or `schedule`")),
    }
}
