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
//! The server dispatches on the path by hand (one `match` over segments,
//! in `routes.rs`) rather than through a router, so the whole surface is
//! readable in one function.
//!
//! Faults are counted per request, 1-based, over every path:
//! [`Faults::rate_limit_every`] answers every n-th request 429, and
//! [`Faults::server_error_at`] answers the listed requests 503.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, Uri};
use parking_lot::Mutex;

use crate::client::{CloudConfig, Secret};
use crate::wire::{ApplicationRole, CloudGroup, CloudUser, ProductAccess};

mod generate;
mod routes;

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
    /// Every audit-log request with a cursor answers 400 `INVALID_CURSOR`
    /// (a cursor that expired between two pages).
    pub lose_event_cursors: bool,
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
    /// The audit log (`GET /admin/v1/orgs/{orgId}/events`), oldest first.
    events: Vec<crate::wire::Event>,
    /// The query string of the request being answered.
    query: String,
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
            events: Vec::new(),
            query: String::new(),
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

    /// Rotates the organization API key, as an admin replacing it at
    /// admin.atlassian.com: from now on only `api_key` is accepted.
    pub fn rotate_api_key(&self, api_key: &str) {
        self.state.lock().credentials.api_key = api_key.to_owned();
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

    /// Ends the grace period of every pending deletion: Atlassian deletes
    /// those accounts for good (they vanish from every answer).
    pub fn expire_deletions(&self) {
        self.state.lock().org.users.retain(|u| !u.for_deletion);
    }

    /// The users as the fake holds them now.
    pub fn users(&self) -> Vec<CloudUser> {
        self.state.lock().org.users.clone()
    }

    /// A change an admin makes in Atlassian's own admin screens (not through
    /// the connector): `change` is applied to the account and the audit log
    /// records `action` against it, as Atlassian's does.
    pub fn admin_change(
        &self,
        account_id: &str,
        action: &str,
        change: impl FnOnce(&mut CloudUser),
    ) {
        let mut state = self.state.lock();
        if let Some(user) = state
            .org
            .users
            .iter_mut()
            .find(|u| u.account_id == account_id)
        {
            change(user);
        }
        state.record_event(action, account_id);
    }

    /// A user joins the organization in Atlassian's admin screens (logged
    /// as `user_added`).
    pub fn admin_add_user(&self, user: CloudUser) {
        let mut state = self.state.lock();
        let id = user.account_id.clone();
        state.org.users.push(user);
        state.record_event("user_added", &id);
    }

    /// Events in the audit log so far.
    pub fn events(&self) -> usize {
        self.state.lock().events.len()
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
