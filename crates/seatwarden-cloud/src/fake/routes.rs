//! The fake's answers: every documented request the connector makes,
//! matched by hand on method and path segments (`State::route`), with the
//! documented bodies, errors, pagination and injected faults.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Serialize;

use super::{KeyKind, Logged, MAX_PAGE, State, is_write};
use crate::wire::{
    AccountStatus, Allowed, ApiError, ApiErrors, ApplicationRole, ClaimStatus, CloudUser, Event,
    EventAttributes, EventMeta, EventObject, EventPage, GroupPage, GroupSearchRequest, JiraErrors,
    LastActiveData, LastActiveDates, LastActiveProduct, Links, ManagePermissions, MembershipStatus,
    Org, OrgAnswer, OrgAttributes, UserGroup, UserPage, UserSearchRequest, UsersCount,
};

/// An answer before it becomes an HTTP response (kept for the log).
struct Reply {
    status: StatusCode,
    body: String,
    retry_after: Option<u64>,
}

impl Reply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        if self.status != StatusCode::NO_CONTENT {
            response
                .headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
        }
        if let Some(v) = self
            .retry_after
            .and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            response.headers_mut().insert("retry-after", v);
        }
        response
    }
}

fn json(status: StatusCode, body: &impl Serialize) -> Reply {
    Reply {
        status,
        body: serde_json::to_string(body).unwrap_or_default(),
        retry_after: None,
    }
}

fn no_content() -> Reply {
    Reply {
        status: StatusCode::NO_CONTENT,
        body: String::new(),
        retry_after: None,
    }
}

/// The organization APIs' error body.
fn admin_error(status: StatusCode, code: &str, title: &str) -> Reply {
    json(
        status,
        &ApiErrors {
            errors: vec![ApiError {
                id: Some("fake-error".to_owned()),
                status: Some(status.as_u16().to_string()),
                code: Some(code.to_owned()),
                title: Some(title.to_owned()),
                detail: None,
            }],
        },
    )
}

/// Jira's error body.
fn jira_error(status: StatusCode, message: &str) -> Reply {
    json(
        status,
        &JiraErrors {
            error_messages: vec![message.to_owned()],
        },
    )
}

/// Offsets as opaque cursors.
fn cursor_of(offset: usize) -> String {
    format!("fake-cursor-{offset}")
}

fn offset_of(cursor: Option<&str>) -> Option<usize> {
    match cursor {
        None => Some(0),
        Some(c) => c.strip_prefix("fake-cursor-")?.parse().ok(),
    }
}

/// `[start, end)` of the page `cursor` and `limit` ask for among `total`
/// items (limits cut to [`MAX_PAGE`]); a foreign cursor is refused.
fn page(cursor: Option<&str>, limit: Option<u32>, total: usize) -> Result<(usize, usize), Reply> {
    let start = offset_of(cursor).ok_or_else(|| {
        admin_error(
            StatusCode::BAD_REQUEST,
            "INVALID_CURSOR",
            "Invalid page cursor",
        )
    })?;
    let limit = limit.map_or(MAX_PAGE, |l| (l as usize).clamp(1, MAX_PAGE));
    Ok((start, start.saturating_add(limit).min(total)))
}

/// The links of a page ending at `end` of `total`.
fn links(cursor: Option<&str>, end: usize, total: usize) -> Links {
    Links {
        self_: cursor.map(str::to_owned),
        next: (end < total).then(|| cursor_of(end)),
    }
}

/// `user` with only what `expand` asked for.
fn expanded(user: &CloudUser, expand: &[String]) -> CloudUser {
    let mut out = user.clone();
    if !expand
        .iter()
        .any(|e| e == crate::wire::EXPAND_PRODUCT_ACCESS)
    {
        out.product_access.clear();
    }
    if !expand.iter().any(|e| e == crate::wire::EXPAND_GROUPS) {
        out.groups.clear();
    }
    out
}

impl State {
    /// Appends `action` against `account` to the audit log, at the org's
    /// clock.
    pub(super) fn record_event(&mut self, action: &str, account: &str) {
        let n = self.events.len() + 1;
        self.events.push(Event {
            id: format!("fake-event-{n}"),
            kind: "events".to_owned(),
            attributes: EventAttributes {
                time: self.org.now.clone(),
                action: action.to_owned(),
                context: vec![EventObject {
                    id: account.to_owned(),
                    kind: Some("users".to_owned()),
                }],
            },
        });
    }

    /// A write the connector made, as the audit log records it (the
    /// account it acted on, named by the action's last path segment).
    fn log_write(&mut self, method: &Method, path: &str, body: &Bytes) {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let account = match segments.iter().position(|s| *s == "users") {
            Some(i) => segments.get(i + 1).map(|s| (*s).to_owned()),
            None if *method == Method::DELETE => segments.last().map(|s| (*s).to_owned()),
            None => serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v.get("accountId")?.as_str().map(str::to_owned)),
        };
        if let Some(account) = account {
            let action = format!(
                "{}_{}",
                method.as_str().to_lowercase(),
                segments.last().copied().unwrap_or_default()
            );
            self.record_event(&action, &account);
        }
    }

    /// `GET /admin/v1/orgs/{orgId}/events?from=&to=&cursor=&limit=`: the
    /// events between `from` and `to` (epoch milliseconds, both inclusive),
    /// oldest first, paged by `meta.next`.
    fn events_page(&self) -> Reply {
        let mut from = i64::MIN;
        let mut to = i64::MAX;
        let mut cursor = None;
        let mut limit = None;
        for (k, v) in self.query.split('&').filter_map(|kv| kv.split_once('=')) {
            match k {
                "from" => from = v.parse().unwrap_or(i64::MIN),
                "to" => to = v.parse().unwrap_or(i64::MAX),
                "cursor" => cursor = Some(v.to_owned()),
                "limit" => limit = v.parse::<u32>().ok(),
                _ => {}
            }
        }
        let at = |e: &Event| {
            chrono::DateTime::parse_from_rfc3339(&e.attributes.time)
                .map_or(0, |t| t.timestamp_millis())
        };
        let matching: Vec<&Event> = self
            .events
            .iter()
            .filter(|e| (from..=to).contains(&at(e)))
            .collect();
        let lost = offset_of(cursor.as_deref()).is_none_or(|start| start > matching.len());
        if cursor.is_some() && (self.faults.lose_event_cursors || lost) {
            return admin_error(
                StatusCode::BAD_REQUEST,
                "INVALID_CURSOR",
                "Invalid page cursor",
            );
        }
        let (start, end) = match page(cursor.as_deref(), limit, matching.len()) {
            Ok(bounds) => bounds,
            Err(refused) => return refused,
        };
        let data: Vec<Event> = matching
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|e| (*e).clone())
            .collect();
        json(
            StatusCode::OK,
            &EventPage {
                meta: EventMeta {
                    next: (end < matching.len()).then(|| cursor_of(end)),
                    page_size: Some(data.len() as u32),
                },
                data,
                links: Some(links(cursor.as_deref(), end, matching.len())),
            },
        )
    }

    pub(super) fn answer(
        &mut self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &Bytes,
    ) -> Response {
        self.requests += 1;
        let n = self.requests;
        let response = if self.faults.server_error_at.contains(&n) {
            admin_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "SERVICE_UNAVAILABLE",
                "Service unavailable",
            )
        } else if self
            .faults
            .rate_limit_every
            .is_some_and(|k| k > 0 && n % k == 0)
        {
            let mut r = admin_error(
                StatusCode::TOO_MANY_REQUESTS,
                "RATE_LIMITED",
                "Too many requests",
            );
            r.retry_after = Some(self.faults.retry_after_secs);
            r
        } else {
            self.query = uri.query().unwrap_or_default().to_owned();
            let reply = self.route(method, uri.path(), headers, body);
            if is_write(method.as_str(), uri.path()) && (200..300).contains(&reply.status.as_u16())
            {
                self.log_write(method, uri.path(), body);
            }
            reply
        };
        self.log.push(Logged {
            method: method.as_str().to_owned(),
            path: uri.path().to_owned(),
            status: response.status.as_u16(),
            body: String::from_utf8_lossy(body).into_owned(),
            answer: response.body.clone(),
        });
        response.into_response()
    }

    fn bearer_ok(&self, headers: &HeaderMap) -> bool {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|k| k == self.credentials.api_key)
    }

    fn basic_ok(&self, headers: &HeaderMap) -> bool {
        let expected = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            self.credentials.site_email, self.credentials.site_token
        ));
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .is_some_and(|v| v == expected)
    }

    /// Every documented request the connector makes; anything else is 404.
    fn route(&mut self, method: &Method, path: &str, headers: &HeaderMap, body: &Bytes) -> Reply {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["rest", "api", "3", "applicationrole"] if method == Method::GET => {
                if !self.basic_ok(headers) {
                    return jira_error(
                        StatusCode::UNAUTHORIZED,
                        "Client must be authenticated to access this resource.",
                    );
                }
                if !self.credentials.site_admin {
                    return jira_error(
                        StatusCode::FORBIDDEN,
                        "You are not authorized to perform this action. Administrator privileges are required.",
                    );
                }
                json(StatusCode::OK, &self.roles())
            }
            ["users", account, "manage", rest @ ..] => {
                if !self.bearer_ok(headers) {
                    return admin_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Unauthorized");
                }
                if self.credentials.key_kind != KeyKind::Unscoped {
                    return admin_error(StatusCode::FORBIDDEN, "FORBIDDEN", "Forbidden");
                }
                self.user_management(method, account, rest)
            }
            ["admin", ..] => {
                if !self.bearer_ok(headers) {
                    return admin_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Unauthorized");
                }
                if is_write(method.as_str(), path) && self.credentials.key_kind == KeyKind::ReadOnly
                {
                    return admin_error(StatusCode::FORBIDDEN, "FORBIDDEN", "Forbidden");
                }
                self.admin(method, segments.get(1..).unwrap_or_default(), body)
            }
            _ => admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
        }
    }

    fn roles(&self) -> Vec<ApplicationRole> {
        self.org
            .roles
            .iter()
            .map(|role| {
                let used = self
                    .org
                    .users
                    .iter()
                    .filter(|u| {
                        u.account_status == AccountStatus::Active
                            && u.membership_status == MembershipStatus::Active
                            && u.groups
                                .iter()
                                .any(|g| g.name.as_ref().is_some_and(|n| role.groups.contains(n)))
                    })
                    .count() as i64;
                ApplicationRole {
                    user_count: Some(used),
                    remaining_seats: role.number_of_seats.map(|s| (s - used).max(0)),
                    ..role.clone()
                }
            })
            .collect()
    }

    fn user_index(&self, account: &str) -> Option<usize> {
        self.org.users.iter().position(|u| u.account_id == account)
    }

    fn user_management(&mut self, method: &Method, account: &str, rest: &[&str]) -> Reply {
        let Some(i) = self.user_index(account) else {
            return admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found");
        };
        let now = self.org.now.clone();
        let Some(user) = self.org.users.get_mut(i) else {
            return admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found");
        };
        let managed = user.claim_status == ClaimStatus::Managed;
        match (method.as_str(), rest) {
            ("GET", []) => json(
                StatusCode::OK,
                &ManagePermissions {
                    lifecycle_enablement: Allowed { allowed: managed },
                },
            ),
            // Hand-written: Atlassian's exact answer for an external
            // account is not documented (docs/cloud.md, open questions).
            ("POST", ["lifecycle", _]) if !managed => admin_error(
                StatusCode::FORBIDDEN,
                "NOT_MANAGED",
                "Account is not managed",
            ),
            // Deletion: "the account will appear as temporarily deactivated"
            // for the grace period; cancelling restores and activates it.
            // Disable and enable: the account status alone.
            (
                "POST",
                [
                    "lifecycle",
                    action @ ("delete" | "cancel-delete" | "disable" | "enable"),
                ],
            ) => {
                let off = matches!(*action, "delete" | "disable");
                if matches!(*action, "delete" | "cancel-delete") {
                    user.for_deletion = off;
                }
                user.account_status = if off {
                    AccountStatus::Inactive
                } else {
                    AccountStatus::Active
                };
                user.deactivated_on = off.then_some(now);
                no_content()
            }
            _ => admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
        }
    }

    fn admin(&mut self, method: &Method, segments: &[&str], body: &Bytes) -> Reply {
        let org_id = self.org.org_id.clone();
        match (method.as_str(), segments) {
            ("GET", ["v1", "orgs", org]) if *org == org_id => json(
                StatusCode::OK,
                &OrgAnswer {
                    data: Org {
                        id: org_id.clone(),
                        kind: "orgs".to_owned(),
                        attributes: OrgAttributes {
                            name: self.org.name.clone(),
                        },
                    },
                },
            ),
            (
                "GET",
                [
                    "v1",
                    "orgs",
                    org,
                    "directory",
                    "users",
                    account,
                    "last-active-dates",
                ],
            ) if *org == org_id => self.last_active(account),
            ("GET", ["v1", "orgs", org, "events"]) if *org == org_id => self.events_page(),
            (_, ["v2", "orgs", org, "directories", _dir, rest @ ..]) if *org == org_id => {
                self.directory(method, rest, body)
            }
            _ => admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
        }
    }

    fn last_active(&self, account: &str) -> Reply {
        let Some(user) = self.org.users.iter().find(|u| u.account_id == account) else {
            return admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found");
        };
        let day = |t: &str| t.get(..10).unwrap_or(t).to_owned();
        json(
            StatusCode::OK,
            &LastActiveDates {
                data: LastActiveData {
                    product_access: user
                        .product_access
                        .iter()
                        .map(|p| LastActiveProduct {
                            id: p.id.clone(),
                            key: p.key.clone(),
                            last_active: p.last_active_timestamp.as_deref().map(day),
                        })
                        .collect(),
                    added_to_org: user.added_to_org.as_deref().map(day),
                },
                links: Links::default(),
            },
        )
    }

    fn directory(&mut self, method: &Method, rest: &[&str], body: &Bytes) -> Reply {
        match (method.as_str(), rest) {
            ("GET", ["users", "count"]) => json(
                StatusCode::OK,
                &UsersCount {
                    count: Some(self.org.users.len() as u64),
                },
            ),
            ("POST", ["users", "search"]) => {
                let Ok(request) = serde_json::from_slice::<UserSearchRequest>(body) else {
                    return admin_error(
                        StatusCode::BAD_REQUEST,
                        "INVALID_REQUEST",
                        "Invalid request body",
                    );
                };
                self.search_users(&request)
            }
            ("POST", ["groups", "search"]) => {
                let Ok(request) = serde_json::from_slice::<GroupSearchRequest>(body) else {
                    return admin_error(
                        StatusCode::BAD_REQUEST,
                        "INVALID_REQUEST",
                        "Invalid request body",
                    );
                };
                let total = self.org.groups.len();
                let (start, end) = match page(request.cursor.as_deref(), request.limit, total) {
                    Ok(bounds) => bounds,
                    Err(refused) => return refused,
                };
                json(
                    StatusCode::OK,
                    &GroupPage {
                        data: self.org.groups.get(start..end).unwrap_or_default().to_vec(),
                        links: links(request.cursor.as_deref(), end, total),
                    },
                )
            }
            ("POST", ["users", account, action @ ("suspend" | "restore")]) => {
                let Some(i) = self.user_index(account) else {
                    return admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found");
                };
                if let Some(user) = self.org.users.get_mut(i) {
                    user.membership_status = if *action == "suspend" {
                        MembershipStatus::Suspended
                    } else {
                        MembershipStatus::Active
                    };
                }
                no_content()
            }
            ("DELETE", ["users", account]) => match self.user_index(account) {
                Some(i) => {
                    self.org.users.remove(i);
                    no_content()
                }
                None => admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
            },
            ("POST", ["groups", group, "memberships"]) => {
                #[derive(serde::Deserialize)]
                #[serde(rename_all = "camelCase")]
                struct Body {
                    account_id: String,
                }
                let Ok(request) = serde_json::from_slice::<Body>(body) else {
                    return admin_error(
                        StatusCode::BAD_REQUEST,
                        "INVALID_REQUEST",
                        "Invalid request body",
                    );
                };
                self.membership(group, &request.account_id, true)
            }
            ("DELETE", ["groups", group, "memberships", account]) => {
                self.membership(group, account, false)
            }
            _ => admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found"),
        }
    }

    fn membership(&mut self, group_id: &str, account: &str, add: bool) -> Reply {
        let Some(group) = self.org.groups.iter().find(|g| g.id == group_id).cloned() else {
            return admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "Group not found");
        };
        let Some(i) = self.user_index(account) else {
            return admin_error(StatusCode::NOT_FOUND, "NOT_FOUND", "User not found");
        };
        if let Some(user) = self.org.users.get_mut(i) {
            user.groups.retain(|g| g.id != group.id);
            if add {
                user.groups.push(UserGroup {
                    id: group.id.clone(),
                    name: Some(group.name.clone()),
                });
            }
        }
        no_content()
    }

    fn search_users(&self, request: &UserSearchRequest) -> Reply {
        let matching: Vec<&CloudUser> = self
            .org
            .users
            .iter()
            .filter(|u| {
                request.account_ids.is_empty() || request.account_ids.contains(&u.account_id)
            })
            .filter(|u| {
                request.emails.is_empty()
                    || u.email
                        .as_ref()
                        .is_some_and(|e| request.emails.iter().any(|x| x.eq_ignore_ascii_case(e)))
            })
            .filter(|u| {
                request
                    .claim_status
                    .as_ref()
                    .is_none_or(|c| *c == u.claim_status)
            })
            .collect();
        let (start, end) = match page(request.cursor.as_deref(), request.limit, matching.len()) {
            Ok(bounds) => bounds,
            Err(refused) => return refused,
        };
        json(
            StatusCode::OK,
            &UserPage {
                data: matching
                    .get(start..end)
                    .unwrap_or_default()
                    .iter()
                    .map(|u| expanded(u, &request.expand))
                    .collect(),
                links: links(request.cursor.as_deref(), end, matching.len()),
            },
        )
    }
}
