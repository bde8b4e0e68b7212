//! Exemptions: list (by policy, user, active or lapsed), grant and revoke in
//! bulk (named users or a Users-tab filter), export as CSV.
//!
//! The end date is an explicit choice: `until` (a `YYYY-MM-DD` date,
//! inclusive), `days` from today, or `indefinite: true`; a grant naming
//! none is refused, so no exemption becomes forever by omission.

use roaring::RoaringBitmap;
use serde::Deserialize;
use serde::de::Deserializer;
use serde_json::{Value, json};

use seatwarden_core::exemption::{Exemption, ExemptionScope, GrantedBy, last_day, until_from_date};
use seatwarden_core::policy::PolicyId;
use seatwarden_core::query::Query;
use seatwarden_core::{Millis, UserKey};

use super::body::{opt_seq_of, typed};
use super::{actor, admin_key, now};
use crate::api::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Params};
use crate::service::exempt::describe;
use crate::service::{ExemptionGrant, Service};
use crate::store::ExemptionKey;

/// An exemption as the API shows it.
pub(crate) fn exemption_json(e: &Exemption, now: Millis) -> Value {
    json!({
        "user": e.user,
        "scope": e.scope,
        "until": e.until,
        "lastDay": e.until.map(last_day),
        "reason": e.reason,
        "grantedBy": e.granted_by,
        "createdAt": e.created_at,
        "active": e.is_active(now),
        "text": describe(e),
    })
}

/// The users a body names: `users` (keys) or `filter` (a Users-tab query).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Who {
    #[serde(default, deserialize_with = "user_keys")]
    users: Option<Vec<UserKey>>,
    /// Kept as JSON: [`Query::from_json`] reads it with its own messages.
    #[serde(default)]
    filter: Option<Value>,
}

fn user_keys<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<UserKey>>, D::Error> {
    let keys: Option<Vec<String>> = opt_seq_of(d, "an array of user keys")?;
    Ok(keys.map(|k| k.into_iter().map(UserKey::from).collect()))
}

fn invalid_filter(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ApiErrorKind::Validation, format!("invalid filter: {e}"))
        .with_details(json!({"problems": [{"path": "filter", "message": e.to_string()}]}))
}

/// The keys `who` names (a filter is resolved against the index now).
fn resolve(service: &Service, who: Who, now: Millis) -> Result<Vec<UserKey>, ApiError> {
    match (who.users, who.filter) {
        (Some(keys), None) => Ok(keys),
        (None, Some(filter)) => {
            let bytes = serde_json::to_vec(&filter).map_err(|_| ApiError::internal("filter"))?;
            let query = Query::from_json(&bytes).map_err(invalid_filter)?;
            service
                .with_index(|index| {
                    index.matching(&query, now).map(|m| {
                        m.iter()
                            .map(|i| UserKey::from(index.key(seatwarden_core::index::UserIdx(i))))
                            .collect()
                    })
                })?
                .map_err(invalid_filter)
        }
        (Some(_), Some(_)) => Err(ApiError::bad_request(
            "give either `users` or `filter`, not both",
        )),
        (None, None) => Err(ApiError::bad_request(
            "give the users as `users` (an array of keys) or `filter`",
        )),
    }
}

/// `policy`: a policy id, or absent / `*` for every policy.
fn scope_of(policy: Option<String>) -> ExemptionScope {
    match policy.as_deref() {
        None | Some("") | Some("*") => ExemptionScope::All,
        Some(id) => ExemptionScope::Policy(PolicyId::from(id)),
    }
}

/// `until` (date) / `days` / `indefinite`: exactly one, read at `now`.
fn end_of(
    until: Option<&str>,
    days: Option<u32>,
    indefinite: bool,
    now: Millis,
) -> Result<Option<Millis>, ApiError> {
    match (until, days, indefinite) {
        (Some(date), None, false) => until_from_date(date)
            .map(Some)
            .ok_or_else(|| ApiError::bad_request("field `until` must be a date `YYYY-MM-DD`")),
        (None, Some(d), false) if (1..=36_500).contains(&d) => {
            // Through the last of `d` days from today (UTC), like a date.
            let last = Millis(now.plus_days(d).0);
            Ok(until_from_date(&last.date_string()))
        }
        (None, Some(_), false) => Err(ApiError::bad_request(
            "field `days` must be between 1 and 36500",
        )),
        (None, None, true) => Ok(None),
        (None, None, false) => Err(ApiError::new(
            ApiErrorKind::Validation,
            "choose an end: `until` (a date), `days`, or `indefinite: true`",
        )),
        _ => Err(ApiError::bad_request(
            "give only one of `until`, `days` and `indefinite`",
        )),
    }
}

/// An exemption's end as a body gives it: `until` (a date), `days`, or
/// `indefinite: true` (exactly one; see [`end_of`]).
#[derive(Debug, Deserialize)]
pub(super) struct End {
    #[serde(default)]
    until: Option<String>,
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    indefinite: bool,
}

impl End {
    /// The end instant at `now` (`None`: indefinite).
    pub(super) fn at(&self, now: Millis) -> Result<Option<Millis>, ApiError> {
        end_of(self.until.as_deref(), self.days, self.indefinite, now)
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GrantBody {
    #[serde(flatten)]
    who: Who,
    #[serde(flatten)]
    end: End,
    #[serde(default)]
    policy: Option<String>,
    reason: String,
}

/// `POST /api/exemptions`: grant one exemption to each named user.
pub(super) fn grant(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: GrantBody = typed(req)?;
    let now = now(req);
    let until = body.end.at(now)?;
    let users = resolve(service, body.who, now)?;
    let grant = ExemptionGrant {
        users,
        scope: scope_of(body.policy),
        until,
        reason: body.reason,
        granted_by: GrantedBy::Admin {
            admin: admin_key(req),
        },
    };
    let report = service.grant_exemption(&grant, actor(service, req), now)?;
    ApiResponse::json(&json!({
        "granted": report.granted.len(),
        "replaced": report.replaced.iter().map(|e| exemption_json(e, now)).collect::<Vec<_>>(),
        "exemptions": report.granted.iter().take(500).map(|e| exemption_json(e, now)).collect::<Vec<_>>(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevokeBody {
    #[serde(flatten)]
    who: Who,
    /// A policy id, `*` for the all-policies exemption; absent: every
    /// exemption of the users.
    #[serde(default)]
    policy: Option<String>,
}

/// `POST /api/exemptions/revoke`: remove exemptions of the named users.
pub(super) fn revoke(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let body: RevokeBody = typed(req)?;
    let now = now(req);
    let users = resolve(service, body.who, now)?;
    let keys: Vec<ExemptionKey> = match body.policy {
        Some(p) => {
            let scope = scope_of(Some(p));
            users
                .into_iter()
                .map(|user| ExemptionKey {
                    user,
                    scope: scope.clone(),
                })
                .collect()
        }
        None => {
            let wanted: std::collections::HashSet<&UserKey> = users.iter().collect();
            let keys: Vec<ExemptionKey> = service
                .exemptions()?
                .iter()
                .filter(|e| wanted.contains(&e.user))
                .map(ExemptionKey::of)
                .collect();
            if keys.is_empty() && !users.is_empty() {
                return ApiResponse::json(&json!({"revoked": 0, "exemptions": []}));
            }
            keys
        }
    };
    let removed = service.revoke_exemptions(&keys, actor(service, req), now)?;
    ApiResponse::json(&json!({
        "revoked": removed.len(),
        "exemptions": removed.iter().take(500).map(|e| exemption_json(e, now)).collect::<Vec<_>>(),
    }))
}

/// The stored exemptions passing the list's query parameters.
fn listed(service: &Service, req: &ApiRequest, now: Millis) -> Result<Vec<Exemption>, ApiError> {
    let state = req.query_param("state").unwrap_or("active");
    if !matches!(state, "active" | "lapsed" | "all") {
        return Err(ApiError::bad_request(
            "query parameter `state` must be one of `active`, `lapsed`, `all`",
        ));
    }
    let policy = req.query_param("policy").filter(|p| !p.is_empty());
    let user = req.query_param("user").filter(|u| !u.is_empty());
    Ok(service
        .exemptions()?
        .into_iter()
        .filter(|e| match state {
            "active" => e.is_active(now),
            "lapsed" => !e.is_active(now),
            _ => true,
        })
        .filter(|e| match policy {
            None => true,
            Some("*") => e.scope == ExemptionScope::All,
            Some(p) => e.scope.key() == p,
        })
        .filter(|e| user.is_none_or(|u| e.user.as_str() == u))
        .collect())
}

/// `GET /api/exemptions`: the list (at most `limit`, default 500).
pub(super) fn list(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let now = now(req);
    let limit = super::query_num(req, "limit", 500usize)?.clamp(1, 10_000);
    let items = listed(service, req, now)?;
    ApiResponse::json(&json!({
        "total": items.len(),
        "items": items.iter().take(limit).map(|e| exemption_json(e, now)).collect::<Vec<_>>(),
    }))
}

/// `GET /api/exemptions/export`: the list as CSV (formula-safe cells).
pub(super) fn export(
    service: &Service,
    req: &ApiRequest,
    _: &Params,
) -> Result<ApiResponse, ApiError> {
    let now = now(req);
    let items = listed(service, req, now)?;
    let mut out =
        String::from("user,username,policy,until,reason,granted_by,created_at,active\r\n");
    for e in &items {
        let name = service.username_of(&e.user).unwrap_or_default();
        let row = [
            e.user.as_str().to_owned(),
            name,
            e.scope.key().to_owned(),
            e.until.map(last_day).unwrap_or_else(|| "indefinite".into()),
            e.reason.clone(),
            e.granted_by.to_string(),
            e.created_at.to_string(),
            e.is_active(now).to_string(),
        ];
        let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    Ok(ApiResponse {
        status: 200,
        content_type: "text/csv; charset=utf-8".to_owned(),
        headers: vec![(
            "Content-Disposition".to_owned(),
            "attachment; filename=\"exemptions.csv\"".to_owned(),
        )],
        body: out.into_bytes(),
    })
}

/// One CSV cell: formula-safe ([`seatwarden_csv::cell::neutralise`], as
/// every export of this product), quoted when needed.
fn csv_cell(text: &str) -> String {
    let mut scratch = Vec::new();
    let neutral = String::from_utf8_lossy(seatwarden_csv::cell::neutralise(
        text.as_bytes(),
        &mut scratch,
    ))
    .into_owned();
    if neutral.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

/// The users with an active exemption (any scope) at `now`, as an index
/// bitmap: the Users tab's "exempt" filter.
pub(crate) fn exempt_bitmap(
    index: &seatwarden_core::index::DirectoryIndex,
    exemptions: &[Exemption],
    now: Millis,
) -> RoaringBitmap {
    exemptions
        .iter()
        .filter(|e| e.is_active(now))
        .filter_map(|e| index.index_of_key(&e.user).map(|i| i.0))
        .collect()
}
