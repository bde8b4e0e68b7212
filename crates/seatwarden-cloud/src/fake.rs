//! A faithful fake of the Atlassian Cloud APIs the connector uses: a local
//! HTTP server for the tests and for `seatwarden serve --demo --cloud`.
//!
//! "Faithful" means: exactly the requests the connector sends, answered with
//! the documented shapes (the same [`crate::wire`] types, pinned to the JSON
//! fixtures by the contract tests), with the documented behaviours that
//! matter to a connector: cursor pagination, `{"errors":[…]}` bodies, 401
//! for a wrong credential, 403 for a key that lacks a permission (a scoped
//! key on the user management API, as vendors report), 429 with
//! `Retry-After`, 5xx, and last-active dates that lag behind activity
//! ([`FakeCloud::record_activity`] is invisible until
//! [`FakeCloud::settle_activity`], as Atlassian's "up to 24 hours").
//! Anything else answers 404: a connector that drifted to an undocumented
//! call fails its tests here rather than in a customer's organization.
//!
//! The server dispatches on the path by hand (one `match` over segments)
//! rather than through a router, so the whole surface is readable in one
//! function ([`State::route`]).
//!
//! Faults are counted per request, 1-based, over every path:
//! [`Faults::rate_limit_every`] answers every n-th request 429, and
//! [`Faults::server_error_at`] answers the listed requests 503.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use parking_lot::Mutex;
use serde::Serialize;

use crate::client::{CloudConfig, Secret};
use crate::wire::{
    AccountStatus, Allowed, ApiError, ApiErrors, ApplicationRole, ClaimStatus, CloudGroup,
    CloudUser, GroupPage, GroupSearchRequest, JiraErrors, LastActiveData, LastActiveDates,
    LastActiveProduct, Links, ManagePermissions, MembershipStatus, Org, OrgAnswer, OrgAttributes,
    ProductAccess, UserGroup, UserPage, UserSearchRequest, UsersCount,
};

mod generate;

pub use generate::generate;

/// The largest page the fake serves (larger limits are cut to it).
pub const MAX_PAGE: usize = 100;

/// An organization as the fake holds it.
#[derive(Clone, Debug, Default)]
pub struct FakeOrg {
    /// Its id.
    pub org_id: String,
    /// Its name.
    pub name: String,
    /// Its users, with every product date and group (the fake drops what
    /// a request did not expand).
    pub users: Vec<CloudUser>,
    /// Its groups.
    pub groups: Vec<CloudGroup>,
    /// Jira's application roles (`userCount` is recounted on every read).
    pub roles: Vec<ApplicationRole>,
    /// The instant deactivations are stamped with (ISO-8601).
    pub now: String,
}

/// What the organization API key may do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyKind {
    /// An API key without scopes: everything.
    #[default]
    Unscoped,
    /// A key with scopes: the organization APIs answer, the user management
    /// API (`/users/{id}/manage…`) answers 403.
    Scoped,
    /// A key with read scopes only: every write answers 403 too.
    ReadOnly,
}

/// The credentials the fake accepts.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The organization API key.
    pub api_key: String,
    /// What it may do.
    pub key_kind: KeyKind,
    /// The site admin's email.
    pub site_email: String,
    /// Their API token.
    pub site_token: String,
    /// Whether they hold the Administer Jira permission.
    pub site_admin: bool,
}

impl Default for Credentials {
    fn default() -> Credentials {
        Credentials {
            api_key: "fake-org-api-key".to_owned(),
            key_kind: KeyKind::Unscoped,
            site_email: "site-admin@acme.example".to_owned(),
            site_token: "fake-site-token".to_owned(),
            site_admin: true,
        }
    }
}

/// Injected faults.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Every n-th request answers 429.
    pub rate_limit_every: Option<u64>,
    /// The `Retry-After` seconds sent with a 429.
    pub retry_after_secs: u64,
    /// These requests (1-based) answer 503.
    pub server_error_at: BTreeSet<u64>,
}

/// One request as the fake saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// `GET`, `POST`, `DELETE`.
    pub method: String,
    /// The path (no query).
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// The request body (empty when none).
    pub body: String,
    /// The answer's body.
    pub answer: String,
}

struct State {
    org: FakeOrg,
    credentials: Credentials,
    faults: Faults,
    requests: u64,
    log: Vec<Logged>,
    pending: Vec<(String, String, String)>,
}

/// The running fake.
pub struct FakeCloud {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for FakeCloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeCloud")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl FakeCloud {
    /// Starts the fake on a free loopback port.
    pub fn start(org: FakeOrg, credentials: Credentials) -> std::io::Result<FakeCloud> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            org,
            credentials,
            faults: Faults::default(),
            requests: 0,
            log: Vec::new(),
            pending: Vec::new(),
        }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let served = state.clone();
        let thread = std::thread::Builder::new()
            .name("fake-atlassian-cloud".to_owned())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let app = axum::Router::new().fallback(
                        move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                            let state = served.clone();
                            async move { state.lock().answer(&method, &uri, &headers, &body) }
                        },
                    );
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stopped.await;
                        })
                        .await;
                });
            })?;
        Ok(FakeCloud {
            address,
            state,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`: both the admin APIs' and the site's base.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// A connector configuration with the credentials the fake accepts.
    pub fn config(&self) -> CloudConfig {
        let state = self.state.lock();
        CloudConfig {
            admin_base: self.base_url(),
            org_id: state.org.org_id.clone(),
            directory_id: "-".to_owned(),
            api_key: Secret::new(state.credentials.api_key.clone()),
            site_base: self.base_url(),
            site_email: state.credentials.site_email.clone(),
            site_token: Secret::new(state.credentials.site_token.clone()),
        }
    }

    /// Replaces the injected faults (the request count goes on).
    pub fn set_faults(&self, faults: Faults) {
        self.state.lock().faults = faults;
    }

    /// Requests served so far.
    pub fn requests(&self) -> u64 {
        self.state.lock().requests
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().log.clone()
    }

    /// The writes (POST other than searches, DELETE) answered 2xx.
    pub fn writes(&self) -> Vec<Logged> {
        self.state
            .lock()
            .log
            .iter()
            .filter(|l| is_write(&l.method, &l.path) && (200..300).contains(&l.status))
            .cloned()
            .collect()
    }

    /// Every request that was a write, whatever its answer.
    pub fn write_attempts(&self) -> Vec<Logged> {
        self.state
            .lock()
            .log
            .iter()
            .filter(|l| is_write(&l.method, &l.path))
            .cloned()
            .collect()
    }

    /// One user as the fake holds it now.
    pub fn user(&self, account_id: &str) -> Option<CloudUser> {
        let state = self.state.lock();
        state
            .org
            .users
            .iter()
            .find(|u| u.account_id == account_id)
            .cloned()
    }

    /// The users as the fake holds them now.
    pub fn users(&self) -> Vec<CloudUser> {
        self.state.lock().org.users.clone()
    }

    /// Records activity of `account_id` in `product` at `at` (ISO-8601),
    /// invisible to the APIs until [`FakeCloud::settle_activity`]: the
    /// documented lag of last-active data.
    pub fn record_activity(&self, account_id: &str, product: &str, at: &str) {
        self.state
            .lock()
            .pending
            .push((account_id.to_owned(), product.to_owned(), at.to_owned()));
    }

    /// Makes recorded activity visible.
    pub fn settle_activity(&self) {
        let mut state = self.state.lock();
        let pending = std::mem::take(&mut state.pending);
        for (account, product, at) in pending {
            if let Some(user) = state.org.users.iter_mut().find(|u| u.account_id == account) {
                match user
                    .product_access
                    .iter_mut()
                    .find(|p| p.key.as_deref() == Some(product.as_str()))
                {
                    Some(p) => p.last_active_timestamp = Some(at),
                    None => user.product_access.push(ProductAccess {
                        key: Some(product.clone()),
                        id: Some(format!("{product}-site")),
                        last_active_timestamp: Some(at),
                    }),
                }
            }
        }
    }
}

impl Drop for FakeCloud {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn is_write(method: &str, path: &str) -> bool {
    method == "DELETE" || (method == "POST" && !path.ends_with("/search"))
}

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
    fn answer(
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
            self.route(method, uri.path(), headers, body)
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
            ("POST", ["lifecycle", action @ ("delete" | "cancel-delete")]) => {
                if !managed {
                    // Hand-written, as for disable below.
                    return admin_error(
                        StatusCode::FORBIDDEN,
                        "NOT_MANAGED",
                        "Account is not managed",
                    );
                }
                // "The account will appear as temporarily deactivated" for
                // the grace period; cancelling restores and activates it.
                let delete = *action == "delete";
                user.for_deletion = delete;
                user.account_status = if delete {
                    AccountStatus::Inactive
                } else {
                    AccountStatus::Active
                };
                user.deactivated_on = delete.then_some(now);
                no_content()
            }
            ("POST", ["lifecycle", action @ ("disable" | "enable")]) => {
                if !managed {
                    // Hand-written: Atlassian's exact answer for an external
                    // account is not documented (docs/cloud.md, open questions).
                    return admin_error(
                        StatusCode::FORBIDDEN,
                        "NOT_MANAGED",
                        "Account is not managed",
                    );
                }
                if *action == "disable" {
                    user.account_status = AccountStatus::Inactive;
                    user.deactivated_on = Some(now);
                } else {
                    user.account_status = AccountStatus::Active;
                    user.deactivated_on = None;
                }
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

/// The groups of `org` by name (for tests that seed memberships).
pub fn groups_by_name(org: &FakeOrg) -> BTreeMap<String, CloudGroup> {
    org.groups
        .iter()
        .map(|g| (g.name.clone(), g.clone()))
        .collect()
}
