//! The "I still need access" page: show the form, take the request, and
//! the record an administrator sees.
//!
//! A link is checked the same way on both steps (signature, expiry, user,
//! policy still offering links); only the submit consumes it: the hash of
//! the token is claimed as a `link-used` marker until the link's own
//! expiry, so a second submit (a replay, a double click, a forwarded mail)
//! gets the neutral page and changes nothing. The form carries the token
//! in its body and the page is only reachable with a valid token, so the
//! token doubles as the form's CSRF token: a page elsewhere cannot submit
//! for a user without holding that user's unused link.

use serde::{Deserialize, Serialize};

use seatwarden_audit::{Action, Actor, AuditEntry, PolicyId, Status, Target};
use seatwarden_core::exemption::{ExemptionScope, GrantedBy};
use seatwarden_core::policy::{AccessRequestSettings, OnRequest};
use seatwarden_core::time::DAY_MS;
use seatwarden_core::{Millis, UserKey};

use super::link::{self, LinkClaims, Purpose, Refusal};
use super::page::{self, esc};
use super::{PublicRequest, secret};
use crate::Service;
use crate::api::ApiResponse;
use crate::service::ExemptionGrant;
use crate::store::{Marker, NewReviewItem, ReviewOrigin};

/// The marker kind of used links.
pub(super) const USED: &str = "link-used";
/// The marker kind of recorded requests.
pub(crate) const REQUESTS: &str = "access-request";
/// How long a request stays listed for the admin.
const KEEP_REQUEST_MS: i64 = 180 * DAY_MS;
/// The longest reason kept (characters).
pub(super) const MAX_REASON: usize = 200;

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// Waiting for an administrator.
    Pending,
    /// Access was restored (at once, or on approval).
    Restored,
    /// An administrator approved it (nothing else was needed).
    Approved,
    /// An administrator rejected it.
    Rejected,
    /// The account was active: nothing to restore; recorded for the admin.
    Recorded,
    /// The restore was tried and failed (no seat, read-only directory).
    Failed,
    /// The user was exempted from the policy for the days the policy says.
    Exempted,
    /// The request went onto the policy's review list; an admin decides it
    /// there (rejecting exempts the user, approving lets the policy act).
    Queued,
}

/// One request as the admin list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessRequestRecord {
    /// The request's id (a hash of its link, never the link).
    pub id: String,
    /// Who asked.
    pub user: UserKey,
    /// Their username when they asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// The policy whose mail carried the link.
    pub policy: PolicyId,
    /// What the link asked for.
    pub purpose: Purpose,
    /// When (UTC ms).
    pub at: Millis,
    /// The user's one-line reason.
    pub reason: String,
    /// What the policy said a request does.
    pub on_request: OnRequest,
    /// Where it stands.
    pub status: RequestStatus,
    /// What happened, in words.
    pub outcome: String,
}

/// The links' signing secret, created on first use; `None` when the store
/// cannot give it (warnings then go without a link rather than not at
/// all). Read once per batch of warnings, not once per warning: each read
/// is a claim in the store.
pub(crate) fn link_secret(service: &Service, now: Millis) -> Option<String> {
    secret::get_or_create(service.store(), secret::LINKS, now).ok()
}

/// The link for a warning to `user` from `policy` for the idle period
/// starting at `cycle`, signed with `secret` ([`link_secret`]): it asks to
/// keep the access, or (when the policy restores) for it back.
pub(crate) fn link_for(
    service: &Service,
    secret: &str,
    user: &UserKey,
    policy: &PolicyId,
    settings: &AccessRequestSettings,
    cycle: Millis,
    now: Millis,
) -> String {
    let purpose = match settings.on_request {
        OnRequest::Restore { .. } => Purpose::Restore,
        _ => Purpose::KeepAccess,
    };
    signed_link(
        service,
        secret,
        (user, policy, cycle, purpose),
        settings,
        now,
    )
}

/// Signs a link bound to (user, policy, cycle, purpose), valid for the
/// policy's `linkDays` from `now`.
fn signed_link(
    service: &Service,
    secret: &str,
    (user, policy, cycle, purpose): (&UserKey, &PolicyId, Millis, Purpose),
    settings: &AccessRequestSettings,
    now: Millis,
) -> String {
    let claims = LinkClaims {
        user: user.clone(),
        policy: policy.clone(),
        cycle,
        purpose,
        expires_at: Millis(now.0.saturating_add(i64::from(settings.link_days) * DAY_MS)),
        nonce: secret::random_hex(16),
    };
    let token = link::sign(secret.as_bytes(), &claims);
    format!("{}?t={token}", page_url(service))
}

/// The page's address on this host.
pub fn page_url(service: &Service) -> String {
    let options = service.options();
    let base = options.base_url.trim_end_matches('/');
    match options.product.as_str() {
        "jira" | "confluence" => format!("{base}/plugins/servlet/seatwarden-public/access/request"),
        _ => format!("{base}/access/request"),
    }
}

/// A valid link's claims and what its policy offers, or why not.
struct Checked {
    claims: LinkClaims,
    settings: AccessRequestSettings,
    user_name: String,
    active: bool,
}

fn check(service: &Service, token: &str, now: Millis) -> Result<Checked, String> {
    let secret = secret::get_or_create(service.store(), secret::LINKS, now)
        .map_err(|e| format!("the signing secret could not be read: {e}"))?;
    let claims =
        link::verify(secret.as_bytes(), token, now).map_err(|r: Refusal| r.words().to_owned())?;
    let settings = service.settings();
    let offered = settings
        .config
        .policy(&claims.policy)
        .and_then(|p| p.warning.as_ref())
        .and_then(|w| w.access_request.clone())
        .ok_or("the policy no longer offers access links")?;
    let user = service
        .host()
        .user(&claims.user)
        .map_err(|e| format!("the directory could not be read: {e}"))?
        .ok_or("the user no longer exists")?;
    Ok(Checked {
        claims,
        settings: offered,
        user_name: user.username.clone(),
        active: user.active,
    })
}

fn refused(service: &Service, request: &PublicRequest, why: &str, now: Millis) -> ApiResponse {
    let mut entry = AuditEntry::new(
        now,
        Actor::Automation { policy: None },
        Action::AccessRequested,
        Status::Failed,
    )
    .with_description(format!("access link refused: {why}"));
    if let Some(ip) = request.client_ip.as_deref().and_then(|s| s.parse().ok()) {
        entry = entry.with_client_ip(ip);
    }
    let _ = service.store().append_audit(&[entry]);
    page::neutral()
}

fn promise(on: &OnRequest, active: bool) -> String {
    match on {
        OnRequest::Exempt { days } if active => format!(
            "Your account will be kept as it is: the automatic clean-up will leave it alone for {days} day(s). An administrator can see your request and your reason."
        ),
        OnRequest::Review if active => "Your request goes to an administrator, who decides whether your account is kept. Until then nothing changes.".to_owned(),
        OnRequest::Restore { at_once: true } if !active => "Your access will be given back at once, if a licence seat is free. An administrator can see your request and your reason.".to_owned(),
        _ if !active => "Your request goes to an administrator, who decides whether your access is given back.".to_owned(),
        _ => "Your request goes to an administrator. Your account is active; nothing changes now.".to_owned(),
    }
}

fn token_of(request: &PublicRequest, form: &[(String, String)]) -> Option<String> {
    form.iter()
        .find(|(n, _)| n == "t")
        .map(|(_, v)| v.clone())
        .or_else(|| request.query_param("t").map(str::to_owned))
}

/// `GET /access/request?t=…`: what will happen, and the form.
pub(super) fn show(service: &Service, request: &PublicRequest, now: Millis) -> ApiResponse {
    let Some(token) = request.query_param("t") else {
        return page::neutral();
    };
    match check(service, token, now) {
        // A used link shows the neutral page too, not a form that would
        // refuse the submit.
        Ok(_) if used(service, token, now) => {
            refused(service, request, "the link was used already", now)
        }
        Ok(c) => form(&c, token, None),
        Err(why) => refused(service, request, &why, now),
    }
}

/// Whether `token` was used already (a store that cannot answer counts as
/// "not used": the submit's claim still decides).
fn used(service: &Service, token: &str, now: Millis) -> bool {
    matches!(
        service.store().marker(USED, &link::used_key(token), now),
        Ok(Some(_))
    )
}

fn form(c: &Checked, token: &str, error: Option<&str>) -> ApiResponse {
    let error = error.map_or_else(String::new, |e| format!("<p role=\"alert\">{}</p>", esc(e)));
    let body = format!(
        "<p>{promise}</p>{error}\
         <form method=\"post\" action=\"request\">\
         <input type=\"hidden\" name=\"t\" value=\"{t}\">\
         <p><label for=\"reason\">Why do you still need access? (one line)</label><br>\
         <input id=\"reason\" name=\"reason\" type=\"text\" maxlength=\"{max}\" required size=\"60\"></p>\
         <p><button type=\"submit\">Send my request</button></p></form>",
        promise = esc(&promise(&c.settings.on_request, c.active)),
        t = esc(token),
        max = MAX_REASON,
    );
    page::html(200, "I still need access", &body)
}

/// The reason as kept: one line, control characters and bidi overrides
/// dropped, at most `MAX_REASON` characters; `None` when blank.
pub fn clean_reason(raw: &str) -> Option<String> {
    let flat: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|c| !matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        .collect();
    let words: Vec<&str> = flat.split_whitespace().collect();
    let one_line = words.join(" ");
    if one_line.is_empty() {
        return None;
    }
    Some(one_line.chars().take(MAX_REASON).collect())
}

/// `POST /access/request`: records the request and does what the policy says.
pub(super) fn submit(service: &Service, request: &PublicRequest, now: Millis) -> ApiResponse {
    let form = super::form::form_decode(&String::from_utf8_lossy(&request.body));
    let Some(token) = token_of(request, &form) else {
        return page::neutral();
    };
    let checked = match check(service, &token, now) {
        Ok(c) => c,
        Err(why) => return refused(service, request, &why, now),
    };
    let reason = form
        .iter()
        .find(|(n, _)| n == "reason")
        .map(|(_, v)| v.as_str());
    let Some(reason) = reason.and_then(clean_reason) else {
        // Not consumed: the user can correct and send again.
        return form_error(&checked, &token);
    };
    let id = link::used_key(&token);
    let used = Marker::new(USED, &id, "1", checked.claims.expires_at);
    match service.store().claim_marker(&used, now) {
        Ok(None) => {}
        Ok(Some(_)) => return refused(service, request, "the link was used already", now),
        Err(e) => return refused(service, request, &format!("the store failed: {e}"), now),
    }
    let (status, outcome) = act(service, &checked, &id, &reason, now);
    let record = AccessRequestRecord {
        id,
        user: checked.claims.user.clone(),
        user_name: Some(checked.user_name.clone()),
        policy: checked.claims.policy.clone(),
        purpose: checked.claims.purpose,
        at: now,
        reason: reason.clone(),
        on_request: checked.settings.on_request.clone(),
        status,
        outcome: outcome.clone(),
    };
    let saved = save(service, &record, now);
    let mut entry = AuditEntry::new(
        now,
        Actor::user(checked.claims.user.clone(), Some(checked.user_name.clone())),
        Action::AccessRequested,
        if status == RequestStatus::Failed {
            Status::Failed
        } else {
            Status::Success
        },
    )
    .with_target(Target::user(
        checked.claims.user.clone(),
        Some(checked.user_name.clone()),
    ))
    .with_policy(checked.claims.policy.clone())
    .with_description(format!(
        "access request {}: {outcome}",
        record.id.get(..12).unwrap_or("")
    ))
    .with_reason(reason);
    if let Some(ip) = request.client_ip.as_deref().and_then(|s| s.parse().ok()) {
        entry = entry.with_client_ip(ip);
    }
    let _ = service.store().append_audit(&[entry]);
    if saved.is_err() {
        return page::html(
            503,
            "Your request could not be saved",
            "<p>Something went wrong on our side. Contact your administrator.</p>",
        );
    }
    let done = match status {
        RequestStatus::Restored => "Your access has been given back.",
        RequestStatus::Failed => {
            "Your request was recorded, but your access could not be given back automatically. An administrator will look at it."
        }
        _ => "Your request was sent. An administrator can see it and your reason.",
    };
    page::html(200, "Thank you", &format!("<p>{}</p>", esc(done)))
}

fn form_error(c: &Checked, token: &str) -> ApiResponse {
    let mut r = form(
        c,
        token,
        Some("Please write one line about why you still need access."),
    );
    r.status = 400;
    r
}

/// What the policy says a request does, done now where it can be. A user
/// whose account is already inactive cannot be "kept": every such request
/// waits for an administrator, whose approval gives the access back.
fn act(
    service: &Service,
    c: &Checked,
    id: &str,
    reason: &str,
    now: Millis,
) -> (RequestStatus, String) {
    match &c.settings.on_request {
        OnRequest::Restore { at_once: true } if !c.active => {
            match restore(
                service,
                &c.claims.user,
                &c.user_name,
                &c.claims.policy,
                "restored at once: the policy allows it",
                now,
            ) {
                Ok(()) => (
                    RequestStatus::Restored,
                    "access restored at once (the policy allows it)".to_owned(),
                ),
                Err(e) => (
                    RequestStatus::Failed,
                    format!("access could not be restored: {e}"),
                ),
            }
        }
        _ if !c.active => (
            RequestStatus::Pending,
            "waiting for an administrator to approve giving access back".to_owned(),
        ),
        OnRequest::Restore { .. } => (
            RequestStatus::Recorded,
            "the account is active: nothing to restore".to_owned(),
        ),
        OnRequest::Exempt { days } => exempt(service, c, id, reason, *days, now),
        OnRequest::Review => queue(service, c, id, reason, now),
    }
}

fn requester(c: &Checked) -> Actor {
    Actor::user(c.claims.user.clone(), Some(c.user_name.clone()))
}

/// Exempts the requester from the link's policy for `days` days (the
/// exempt helper's model; the grant audits itself).
fn exempt(
    service: &Service,
    c: &Checked,
    id: &str,
    reason: &str,
    days: u32,
    now: Millis,
) -> (RequestStatus, String) {
    let until = now.plus_days(days);
    let grant = ExemptionGrant {
        users: vec![c.claims.user.clone()],
        scope: ExemptionScope::Policy(c.claims.policy.clone()),
        until: Some(until),
        reason: format!("asked through an access link: {reason}"),
        granted_by: GrantedBy::Request {
            request: id.to_owned(),
            approved_by: None,
        },
    };
    match service.grant_exemption(&grant, requester(c), now) {
        Ok(_) => (
            RequestStatus::Exempted,
            format!("exempted from this policy for {days} day(s)"),
        ),
        Err(e) => (
            RequestStatus::Failed,
            format!("the exemption could not be granted: {e}"),
        ),
    }
}

/// Puts the request onto the policy's review list (the exempt helper's
/// model): an admin decides it there.
fn queue(
    service: &Service,
    c: &Checked,
    id: &str,
    reason: &str,
    now: Millis,
) -> (RequestStatus, String) {
    let action = service
        .settings()
        .config
        .policy(&c.claims.policy)
        .map_or("act", |p| p.action.kind_name())
        .replace('_', " ");
    let item = NewReviewItem {
        policy: c.claims.policy.clone(),
        user: c.claims.user.clone(),
        user_name: Some(c.user_name.clone()),
        action,
        reasons: vec![format!("asked to keep access: {reason}")],
        origin: ReviewOrigin::Request {
            request: id.to_owned(),
        },
        queued_at: now,
    };
    match service.enqueue_review(&[item], requester(c), now) {
        Ok(created) => match created.first() {
            Some(it) => (
                RequestStatus::Queued,
                format!("on the review list as item {}", it.id.0),
            ),
            None => (
                RequestStatus::Queued,
                "already on the review list: an administrator decides it there".to_owned(),
            ),
        },
        Err(e) => (
            RequestStatus::Failed,
            format!("the request could not be put on the review list: {e}"),
        ),
    }
}

/// Activates `user` through the host (which checks the licence seat) and
/// audits it as a reactivation.
pub(crate) fn restore(
    service: &Service,
    user: &UserKey,
    user_name: &str,
    policy: &PolicyId,
    reason: &str,
    now: Millis,
) -> Result<(), String> {
    let op = super::give_back(service, user);
    let result = {
        let _lock = service.stripe(user.as_str()).lock();
        let r = service.host().apply(&op);
        if r.is_ok() {
            service.note_applied(&op, now);
        }
        r
    };
    let (status, detail) = match &result {
        Ok(_) => (Status::Success, op.to_string()),
        Err(f) => (Status::Failed, format!("{op}: {f}")),
    };
    let entry = AuditEntry::new(
        now,
        Actor::Automation {
            policy: Some(policy.clone()),
        },
        Action::of_operation(&op, true),
        status,
    )
    .with_target(Target::user(user.clone(), Some(user_name.to_owned())))
    .with_policy(policy.clone())
    .with_description(detail)
    .with_reason(reason);
    let _ = service.store().append_audit(&[entry]);
    result.map(|_| ()).map_err(|f| f.to_string())
}

pub(crate) fn save(service: &Service, r: &AccessRequestRecord, now: Millis) -> Result<(), String> {
    let value = serde_json::to_string(r).map_err(|e| e.to_string())?;
    service
        .store()
        .put_marker(&Marker::new(
            REQUESTS,
            &r.id,
            value,
            Millis(now.0.saturating_add(KEEP_REQUEST_MS)),
        ))
        .map_err(|e| e.to_string())
}

/// Every request still kept, newest first.
pub(crate) fn list(service: &Service, now: Millis) -> Result<Vec<AccessRequestRecord>, String> {
    let mut out: Vec<AccessRequestRecord> = service
        .store()
        .list_markers(REQUESTS, now)
        .map_err(|e| e.to_string())?
        .iter()
        .filter_map(|m| serde_json::from_str(&m.value).ok())
        .collect();
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
    Ok(out)
}
