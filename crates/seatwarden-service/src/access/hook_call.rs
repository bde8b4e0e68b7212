//! One webhook call, from authentication to the audit entry; and the
//! hooks' storage for the admin routes.
//!
//! Order matters: the body size was checked by the caller; then the hook
//! and its secret are looked up and the call authenticated (every failure
//! the same 401); then the event is parsed (400 names the field); then the
//! event id is claimed (a duplicate answers the first result); then the
//! requester is found, the rules matched, the daily cap taken, and the
//! actions applied through the host, which makes the licence-seat check.
//! Every call that got past the size check is audited, with the rule that
//! matched or why none did.

use serde::{Deserialize, Serialize};
use serde_json::json;

use seatwarden_audit::{Action, Actor, AuditEntry, Status, Target};
use seatwarden_core::time::DAY_MS;
use seatwarden_core::{GroupName, Millis, Operation, UserKey};

use super::hook::{self, Found, HookEvent, HookSettings};
use super::page::json as json_response;
use super::{PublicRequest, secret};
use crate::Service;
use crate::api::ApiResponse;
use crate::store::{Marker, NEVER};

/// The marker kind hooks are kept under.
pub(crate) const HOOKS: &str = "hook";
pub(super) const EVENTS: &str = "hook-event";
pub(super) const CAP: &str = "hook-cap";
/// How long an event id is remembered (retries come within minutes;
/// a week covers a service desk's own retry schedule with room).
const KEEP_EVENT_MS: i64 = 7 * DAY_MS;

/// The secret's name for hook `id`.
pub(crate) fn secret_name(id: &str) -> String {
    format!("hook/{id}")
}

/// What a call came to (also the answer's body).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HookResult {
    /// The event id.
    pub event_id: String,
    /// `applied`, `nothing_to_do`, `no_rule`, `unknown_requester`,
    /// `cap_reached` or `failed`.
    pub outcome: String,
    /// The rule that matched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What was done (or, in a dry run, would be done).
    pub actions: Vec<String>,
    /// Why, in words.
    pub detail: String,
    /// A test event from the settings screen: nothing was changed.
    pub dry_run: bool,
}

pub(super) fn too_many() -> ApiResponse {
    let mut r = json_response(
        429,
        &json!({"error": {"kind": "too_many_requests", "message": "too many calls in the last minute"}}),
    );
    r.headers.push(("Retry-After".to_owned(), "60".to_owned()));
    r
}

fn unauthorized() -> ApiResponse {
    json_response(
        401,
        &json!({"error": {"kind": "unauthenticated", "message": "the call is not signed by this hook's secret"}}),
    )
}

/// The stored settings of hook `id`.
pub(crate) fn load(service: &Service, id: &str, now: Millis) -> Option<HookSettings> {
    service
        .store()
        .list_markers(HOOKS, now)
        .ok()?
        .into_iter()
        .find(|m| m.key == id)
        .and_then(|m| serde_json::from_str(&m.value).ok())
}

/// Every hook, by id.
pub(crate) fn list(service: &Service, now: Millis) -> Result<Vec<(String, HookSettings)>, String> {
    Ok(service
        .store()
        .list_markers(HOOKS, now)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter_map(|m| serde_json::from_str(&m.value).ok().map(|s| (m.key, s)))
        .collect())
}

/// Stores hook `id`'s settings.
pub(crate) fn save(service: &Service, id: &str, s: &HookSettings) -> Result<(), String> {
    let value = serde_json::to_string(s).map_err(|e| e.to_string())?;
    service
        .store()
        .put_marker(&Marker::new(HOOKS, id, value, NEVER))
        .map_err(|e| e.to_string())
}

/// Hook `id`'s stored settings and the stored text they were read from
/// (what a version-checked save names as the value it replaces).
pub(crate) fn load_stored(
    service: &Service,
    id: &str,
    now: Millis,
) -> Option<(String, HookSettings)> {
    let m = service.store().marker(HOOKS, id, now).ok()??;
    let settings = serde_json::from_str(&m.value).ok()?;
    Some((m.value, settings))
}

/// Stores hook `id`'s settings only while the stored text is still `read`
/// (the store's compare-and-set): `Ok(false)` when another save, on this
/// node or another, came first and nothing changed.
pub(crate) fn replace(
    service: &Service,
    id: &str,
    read: &str,
    s: &HookSettings,
    now: Millis,
) -> Result<bool, String> {
    let value = serde_json::to_string(s).map_err(|e| e.to_string())?;
    service
        .store()
        .replace_marker(&Marker::new(HOOKS, id, value, NEVER), read, now)
        .map_err(|e| e.to_string())
}

/// Removes hook `id` and its secret.
pub(crate) fn remove(service: &Service, id: &str, now: Millis) -> Result<(), String> {
    service
        .store()
        .put_marker(&Marker::new(HOOKS, id, "", now))
        .map_err(|e| e.to_string())?;
    secret::remove(service.store(), &secret_name(id), now).map_err(|e| e.to_string())
}

fn audit(
    service: &Service,
    hook_name: &str,
    request: Option<&PublicRequest>,
    status: Status,
    user: Option<(UserKey, String)>,
    description: String,
    now: Millis,
) {
    let mut entry = AuditEntry::new(
        now,
        Actor::Automation { policy: None },
        Action::HookCalled,
        status,
    )
    .with_description(format!("webhook `{hook_name}`: {description}"));
    if let Some((key, name)) = user {
        entry = entry.with_target(Target::user(key, Some(name)));
    }
    if let Some(ip) = request
        .and_then(|r| r.client_ip.as_deref())
        .and_then(|s| s.parse().ok())
    {
        entry = entry.with_client_ip(ip);
    }
    let _ = service.store().append_audit(&[entry]);
}

/// An authentic call whose event cannot be read: audited, `400` naming why.
fn bad_event(
    service: &Service,
    settings: &HookSettings,
    request: &PublicRequest,
    why: String,
    now: Millis,
) -> ApiResponse {
    audit(
        service,
        &settings.name,
        Some(request),
        Status::Failed,
        None,
        why.clone(),
        now,
    );
    json_response(
        400,
        &json!({"error": {"kind": "bad_request", "message": why}}),
    )
}

/// The secret an unknown hook id is verified against: random per process,
/// never stored, never matching anything a caller could sign with.
fn dummy_secret() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(secret::fresh)
}

#[cfg(test)]
thread_local! {
    /// How many calls [`authenticate`] made on this thread (the test that
    /// both paths verify alike reads it).
    static AUTHENTICATIONS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// The one verification every call goes through, known hook or not: the
/// body's HMAC under `secret` within the time window, or (when the hook
/// allows it) the static token compared in constant time. Both checks run
/// whatever the first one says, so the work does not depend on which
/// fails.
fn authenticate(
    secret: &str,
    allow_token: bool,
    request: &PublicRequest,
    now: Millis,
) -> Result<(), &'static str> {
    #[cfg(test)]
    AUTHENTICATIONS.with(|c| c.set(c.get() + 1));
    let signed = hook::verify_signature(
        secret.as_bytes(),
        request.header("x-seatwarden-timestamp"),
        request.header("x-seatwarden-signature"),
        &request.body,
        now.0.div_euclid(1_000),
    );
    let token = request
        .header("x-seatwarden-token")
        .is_some_and(|t| hook::token_matches(secret, t));
    match signed {
        Ok(()) => Ok(()),
        Err(_) if allow_token && token => Ok(()),
        Err(why) => Err(why),
    }
}

/// `POST /hooks/access/{id}`.
pub(super) fn call(
    service: &Service,
    id: &str,
    request: &PublicRequest,
    now: Millis,
) -> ApiResponse {
    let settings = load(service, id, now).filter(|s| s.enabled);
    let secret = secret::get(service.store(), &secret_name(id), now)
        .ok()
        .flatten();
    let (Some(settings), Some(secret)) = (settings, secret) else {
        // Unknown (or disabled) hook: the same verification as a known one,
        // against a dummy secret, so the answer takes the same shape of
        // time as a wrong signature; then the same answer, and no hook
        // name to audit under.
        let _ = authenticate(dummy_secret(), true, request, now);
        audit(
            service,
            "(unknown)",
            Some(request),
            Status::Failed,
            None,
            "refused: no such hook, or it is disabled".into(),
            now,
        );
        return unauthorized();
    };
    if let Err(why) = authenticate(&secret, settings.allow_token, request, now) {
        audit(
            service,
            &settings.name,
            Some(request),
            Status::Failed,
            None,
            format!("refused: {why}"),
            now,
        );
        return unauthorized();
    }
    let event: HookEvent = match seatwarden_core::strict_json::from_slice(&request.body) {
        Ok(e) => e,
        Err(e) => {
            let why = format!(
                "invalid event at line {}, column {}: {}",
                e.line(),
                e.column(),
                seatwarden_core::json_error::describe(&e)
            );
            return bad_event(service, &settings, request, why, now);
        }
    };
    if event.event_id.trim().is_empty() || event.event_id.chars().count() > hook::MAX_EVENT_ID {
        let why = format!("`eventId` must be 1 to {} characters", hook::MAX_EVENT_ID);
        return bad_event(service, &settings, request, why, now);
    }
    let key = format!("{id}/{}", event.event_id);
    let pending = Marker::new(
        EVENTS,
        &key,
        "",
        Millis(now.0.saturating_add(KEEP_EVENT_MS)),
    );
    match service.store().claim_marker(&pending, now) {
        Ok(None) => {}
        Ok(Some(first)) => {
            audit(
                service,
                &settings.name,
                Some(request),
                Status::Skipped,
                None,
                format!(
                    "duplicate of event `{}`: answered the first result",
                    event.event_id
                ),
                now,
            );
            return match serde_json::from_str::<serde_json::Value>(&first.value) {
                Ok(v) => json_response(200, &v),
                Err(_) => json_response(
                    409,
                    &json!({"error": {"kind": "conflict", "message": "the first delivery of this event is still being handled"}}),
                ),
            };
        }
        Err(e) => {
            return json_response(
                503,
                &json!({"error": {"kind": "unavailable", "message": format!("the store failed: {e}")}}),
            );
        }
    }
    let result = run(service, id, &settings, &event, false, Some(request), now);
    if let Ok(v) = serde_json::to_string(&result) {
        let _ = service.store().put_marker(&Marker {
            value: v,
            ..pending
        });
    }
    json_response(200, &serde_json::to_value(&result).unwrap_or_default())
}

/// Finds the requester, matches, takes the cap and applies (or, in a dry
/// run, only says what would be done). Audits the result.
pub(crate) fn run(
    service: &Service,
    id: &str,
    settings: &HookSettings,
    event: &HookEvent,
    dry_run: bool,
    request: Option<&PublicRequest>,
    now: Millis,
) -> HookResult {
    let mut result = HookResult {
        event_id: event.event_id.clone(),
        outcome: String::new(),
        rule: None,
        actions: Vec::new(),
        detail: String::new(),
        dry_run,
    };
    let prefix = if dry_run {
        "test event (dry run): "
    } else {
        ""
    };
    let user = match find(service, event) {
        Ok(u) => u,
        Err(why) => {
            result.outcome = "unknown_requester".into();
            result.detail = why;
            audit(
                service,
                &settings.name,
                request,
                Status::Skipped,
                None,
                format!("{prefix}event `{}`: {}", event.event_id, result.detail),
                now,
            );
            return result;
        }
    };
    let found = Found {
        email: user.email.clone(),
        groups: user.groups.clone(),
    };
    let rule = match hook::matching(&settings.rules, event, &found) {
        Ok(r) => r,
        Err(why) => {
            result.outcome = "no_rule".into();
            result.detail = why;
            audit(
                service,
                &settings.name,
                request,
                Status::Skipped,
                Some((user.key.clone(), user.username.clone())),
                format!("{prefix}event `{}`: {}", event.event_id, result.detail),
                now,
            );
            return result;
        }
    };
    result.rule = Some(rule.name.clone());
    let mut ops = Vec::new();
    if rule.activate && !user.active {
        ops.push(super::give_back(service, &user.key));
    }
    for g in &rule.add_to_groups {
        if !user.groups.contains(g) {
            ops.push(Operation::AddToGroup {
                user: user.key.clone(),
                group: g.clone(),
            });
        }
    }
    result.actions = ops.iter().map(ToString::to_string).collect();
    let who = Some((user.key.clone(), user.username.clone()));
    if ops.is_empty() {
        result.outcome = "nothing_to_do".into();
        result.detail = format!(
            "rule `{}` matched; the account already has that access",
            rule.name
        );
        audit(
            service,
            &settings.name,
            request,
            Status::Skipped,
            who,
            format!("{prefix}event `{}`: {}", event.event_id, result.detail),
            now,
        );
        return result;
    }
    if dry_run {
        result.outcome = "applied".into();
        result.detail = format!(
            "rule `{}` matched; would do: {}",
            rule.name,
            result.actions.join(", ")
        );
        audit(
            service,
            &settings.name,
            request,
            Status::Skipped,
            who,
            format!("{prefix}event `{}`: {}", event.event_id, result.detail),
            now,
        );
        return result;
    }
    if !take_cap(service, id, settings.cap_per_day, now) {
        result.outcome = "cap_reached".into();
        result.detail = format!(
            "rule `{}` matched, but the hook's cap of {} account change(s) a day is reached",
            rule.name, settings.cap_per_day
        );
        audit(
            service,
            &settings.name,
            request,
            Status::Skipped,
            who,
            format!("event `{}`: {}", event.event_id, result.detail),
            now,
        );
        return result;
    }
    let mut failures = Vec::new();
    let mut entries = Vec::new();
    {
        let _lock = service.stripe(user.key.as_str()).lock();
        for op in &ops {
            let r = service.host().apply(op);
            if r.is_ok() {
                service.note_applied(op, now);
            }
            let (status, detail) = match &r {
                Ok(_) => (Status::Success, op.to_string()),
                Err(f) => {
                    failures.push(format!("{op}: {f}"));
                    (Status::Failed, format!("{op}: {f}"))
                }
            };
            let group = match op {
                Operation::AddToGroup { group, .. } => Some(group.clone()),
                _ => None,
            };
            entries.push(
                AuditEntry::new(
                    now,
                    Actor::Automation { policy: None },
                    Action::of_operation(op, false),
                    status,
                )
                .with_target(Target {
                    user: Some(user.key.clone()),
                    user_name: Some(user.username.clone()),
                    group,
                })
                .with_description(detail)
                .with_reason(format!(
                    "webhook `{}`, rule `{}`, event `{}`",
                    settings.name, rule.name, event.event_id
                )),
            );
        }
    }
    let _ = service.store().append_audit(&entries);
    if failures.is_empty() {
        result.outcome = "applied".into();
        result.detail = format!("rule `{}` matched", rule.name);
        audit(
            service,
            &settings.name,
            request,
            Status::Success,
            who,
            format!(
                "event `{}`: rule `{}` matched: {}",
                event.event_id,
                rule.name,
                result.actions.join(", ")
            ),
            now,
        );
    } else {
        result.outcome = "failed".into();
        result.detail = failures.join("; ");
        audit(
            service,
            &settings.name,
            request,
            Status::Failed,
            who,
            format!(
                "event `{}`: rule `{}` matched, but: {}",
                event.event_id, rule.name, result.detail
            ),
            now,
        );
    }
    result
}

struct User {
    key: UserKey,
    username: String,
    email: String,
    active: bool,
    groups: Vec<GroupName>,
}

fn find(service: &Service, event: &HookEvent) -> Result<User, String> {
    service
        .ensure_index()
        .map_err(|e| format!("the directory could not be read: {e}"))?;
    let by = |idx| -> Option<User> {
        service.current_index(|index| {
            index.user(idx).map(|v| User {
                key: UserKey::from(v.key()),
                username: v.username().to_owned(),
                email: v.email().to_owned(),
                active: v.active(),
                groups: v.groups().cloned().collect(),
            })
        })?
    };
    if let Some(name) = event
        .requester
        .username
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    {
        let idx = service
            .current_index(|i| i.index_of_username(name.trim()))
            .flatten();
        return idx
            .and_then(by)
            .ok_or_else(|| "no user has the requester's username".to_owned());
    }
    if let Some(email) = event
        .requester
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
    {
        let found: Vec<_> = service
            .current_index(|i| i.indices_of_email(email.trim()).take(2).collect())
            .unwrap_or_default();
        return match found.as_slice() {
            [one] => by(*one).ok_or_else(|| "the requester could not be read".to_owned()),
            [] => Err("no user has the requester's email".to_owned()),
            _ => Err("several users share the requester's email: name the username".to_owned()),
        };
    }
    Err("the event names no requester (`requester.username` or `requester.email`)".to_owned())
}

/// Takes one of the day's `cap` slots; `false` when all are taken.
fn take_cap(service: &Service, id: &str, cap: u32, now: Millis) -> bool {
    let day = now.0.div_euclid(DAY_MS);
    let expires = Millis((day + 2) * DAY_MS);
    (0..cap).any(|n| {
        let slot = Marker::new(CAP, &format!("{id}/{day}/{n}"), "1", expires);
        matches!(service.store().claim_marker(&slot, now), Ok(None))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::sync::Arc;

    use super::*;
    use crate::host::memory::MemoryDirectory;
    use crate::service::ServiceOptions;
    use crate::store::{MemoryStore, Store};

    fn service() -> Service {
        let snap = serde_json::from_value(json!({
            "format": "seatwarden-snapshot", "version": 1,
            "header": {"takenAt": 0, "directories": [], "groups": [], "licences": [],
                       "sysadmins": []},
            "pages": [{"users": []}]
        }))
        .unwrap();
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        Service::new(
            Arc::new(MemoryDirectory::new(snap)),
            store,
            ServiceOptions::default(),
        )
        .unwrap()
    }

    fn signed_wrongly(now: Millis) -> PublicRequest {
        let body = br#"{"eventId":"IT-1"}"#.to_vec();
        let ts = now.0.div_euclid(1_000).to_string();
        PublicRequest {
            method: "POST".into(),
            path: "/hooks/access/x".into(),
            headers: vec![
                ("x-seatwarden-timestamp".into(), ts.clone()),
                (
                    "x-seatwarden-signature".into(),
                    hook::signature(b"not the secret", &ts, &body),
                ),
            ],
            body,
            client_ip: Some("192.0.2.9".into()),
            ..PublicRequest::default()
        }
    }

    fn authentications_during(f: impl FnOnce() -> ApiResponse) -> (u32, ApiResponse) {
        let before = AUTHENTICATIONS.with(std::cell::Cell::get);
        let answer = f();
        (AUTHENTICATIONS.with(std::cell::Cell::get) - before, answer)
    }

    #[test]
    fn an_unknown_hook_is_verified_by_the_same_code_as_a_known_one() {
        let s = service();
        let now = Millis(1_765_000_000_000);
        let known = "known-hook";
        let settings = HookSettings {
            name: "IT desk".into(),
            enabled: true,
            cap_per_day: 5,
            allow_token: false,
            rules: Vec::new(),
        };
        save(&s, known, &settings).unwrap();
        secret::rotate(s.store(), &secret_name(known)).unwrap();
        let request = signed_wrongly(now);

        let (known_checks, known_answer) =
            authentications_during(|| call(&s, known, &request, now));
        let (unknown_checks, unknown_answer) =
            authentications_during(|| call(&s, "no-such-hook", &request, now));

        assert_eq!(known_checks, 1, "a known hook's call is verified once");
        assert_eq!(
            unknown_checks, 1,
            "an unknown hook's call goes through the same verification"
        );
        assert_eq!(known_answer.status, 401);
        assert_eq!(
            (unknown_answer.status, &unknown_answer.body),
            (known_answer.status, &known_answer.body),
            "and gets the same answer"
        );
    }

    #[test]
    fn the_dummy_secret_is_not_one_a_caller_can_sign_with() {
        assert_eq!(dummy_secret(), dummy_secret(), "one per process");
        assert_eq!(dummy_secret().len(), 64);
        let s = service();
        let now = Millis(1_765_000_000_000);
        // Even a call signed with an empty secret (what an unknown hook
        // has) is refused.
        let body = br#"{"eventId":"IT-2"}"#.to_vec();
        let ts = now.0.div_euclid(1_000).to_string();
        let request = PublicRequest {
            headers: vec![
                ("x-seatwarden-timestamp".into(), ts.clone()),
                (
                    "x-seatwarden-signature".into(),
                    hook::signature(b"", &ts, &body),
                ),
                ("x-seatwarden-token".into(), String::new()),
            ],
            body,
            ..signed_wrongly(now)
        };
        assert_eq!(call(&s, "no-such-hook", &request, now).status, 401);
    }
}
