//! People in the loop from outside the admin UI (issue 21, items 3 and 4):
//! the "I still need access" page a warning links to, and the webhooks a
//! service desk's automation calls to give a requester a seat.
//!
//! Why a separate entry point ([`Service::handle_public`]) instead of two
//! more admin routes: these are the only requests Seatwarden answers
//! without an administrator, and keeping them out of [`crate::api::Router`]
//! keeps that router's promise ("no anonymous routes") checkable in one
//! place. A host maps exactly two paths here (`/access/request` and
//! `/hooks/access/{id}`); everything else stays behind the admin checks.
//!
//! Both routes authenticate the *request*, not a session: a link by its
//! HMAC ([`link`]), a webhook call by the HMAC of its body ([`hook`]).
//! Both are rate limited per client address and overall ([`limit`]), and
//! every refusal looks the same from outside, so neither reveals whether a
//! user, a policy or a hook exists.

pub mod form;
pub mod hook;
mod hook_call;
pub mod limit;
pub mod link;
mod notice;
mod page;
mod request;
pub mod secret;

use serde::{Deserialize, Serialize};

use seatwarden_core::Millis;
use seatwarden_core::time::DAY_MS;

use crate::Service;
use crate::api::ApiResponse;

pub use hook_call::HookResult;
pub(crate) use hook_call::{
    list as hook_list, load as hook_load, load_stored as hook_load_stored, remove as hook_remove,
    replace as hook_replace, save as hook_save, secret_name as hook_secret_name,
};
pub(crate) use notice::queue_removal_notices;
pub(crate) use request::{link_for, link_secret};
pub(crate) use request::{list as request_list, restore as restore_user, save as request_save};

/// The daily maintenance of the anonymous routes' records
/// (`docs/access-requests.md`, "Retention"): used links, webhook event ids,
/// daily-cap slots, rate counters, the secrets of removed hooks and the
/// directories of ended runs (`service::swap`) go as
/// soon as they lapse (they exist only to refuse a replay or count a
/// minute); access requests (listed 180 days) and removed hooks go once
/// they have been lapsed for the audit retention, `retention_days`, so an
/// audit entry naming one does not outlive it. 0 keeps those forever, as
/// it keeps the audit log. Answers how many markers went.
pub(crate) fn prune(
    service: &Service,
    retention_days: u32,
    now: Millis,
) -> crate::store::StoreResult<u64> {
    let store = service.store();
    let mut gone = store.prune_markers(
        &[
            request::USED,
            hook_call::EVENTS,
            hook_call::CAP,
            crate::store::marker::RATE,
            secret::KIND,
            crate::service::RUN_DIRECTORY,
        ],
        now,
    )?;
    if retention_days > 0 {
        let cutoff = Millis(
            now.0
                .saturating_sub(i64::from(retention_days).saturating_mul(DAY_MS)),
        );
        gone += store.prune_markers(&[request::REQUESTS, hook_call::HOOKS], cutoff)?;
    }
    Ok(gone)
}

/// A test event from the settings screen: matched and explained, never applied.
pub(crate) fn hook_dry_run(
    service: &Service,
    id: &str,
    s: &hook::HookSettings,
    event: &hook::HookEvent,
    now: Millis,
) -> HookResult {
    hook_call::run(service, id, s, event, true, None, now)
}
pub use request::{AccessRequestRecord, RequestStatus, clean_reason, page_url};

/// A copy of `template` that carries the "I still need access" link, or
/// `None` when it places `{{request_access_url}}` itself. Why: an admin
/// who turns links on in a policy expects the warnings to carry them,
/// also with the default template or one written before links existed;
/// one who placed the link in their own words keeps exactly that.
pub(crate) fn with_link_paragraph(
    template: &seatwarden_mail::Template,
) -> Option<seatwarden_mail::Template> {
    with_paragraph(
        template,
        "\n<p>Still need this account? <a href=\"{{request_access_url}}\">Tell us why</a> \
         before {{action_date}}.</p>",
    )
}

/// The "access removed" notice's counterpart of [`with_link_paragraph`]:
/// a notice template edited to leave the link out still carries it.
pub(crate) fn with_removal_link_paragraph(
    template: &seatwarden_mail::Template,
) -> Option<seatwarden_mail::Template> {
    with_paragraph(
        template,
        "\n<p>Still need this account? <a href=\"{{request_access_url}}\">Ask for your access \
         back</a>.</p>",
    )
}

fn with_paragraph(
    template: &seatwarden_mail::Template,
    paragraph: &str,
) -> Option<seatwarden_mail::Template> {
    if template.html_body.contains("request_access_url") {
        return None;
    }
    let mut t = template.clone();
    t.html_body.push_str(paragraph);
    Some(t)
}

/// The write that gives an inactive account its access back: on Atlassian
/// Cloud a suspended user is restored, elsewhere the account is activated.
fn give_back(service: &Service, user: &seatwarden_core::UserKey) -> seatwarden_core::Operation {
    if service.options().product == "cloud" {
        seatwarden_core::Operation::Restore { user: user.clone() }
    } else {
        seatwarden_core::Operation::Activate { user: user.clone() }
    }
}

/// An anonymous request as the host received it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PublicRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The path as received (`/access/request`, `/hooks/access/{id}`).
    pub path: String,
    /// Query parameters in order.
    pub query: Vec<(String, String)>,
    /// The headers the routes read, names in lower case (the signature and
    /// timestamp of a webhook call, the form's content type).
    pub headers: Vec<(String, String)>,
    /// The raw body (the host caps it at [`MAX_BODY`]).
    pub body: Vec<u8>,
    /// The client's address, for the rate limit and the audit log.
    pub client_ip: Option<String>,
}

impl PublicRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn client(&self) -> &str {
        self.client_ip.as_deref().unwrap_or("unknown")
    }
}

/// The largest body either anonymous route reads: a form with a one-line
/// reason, or a webhook event. Larger bodies get 413 before any work.
pub const MAX_BODY: usize = 64 * 1024;

/// The anonymous routes' limiters: the page and the webhooks count apart,
/// so a flood of webhook calls cannot lock users out of the page. Each is
/// a per-node pre-check in memory in front of the cluster's shared count
/// in the store ([`limit::Shared`]).
pub struct Limits {
    page: limit::Shared,
    hooks: limit::Shared,
}

/// A person opens and submits the page a few times at most.
pub const PAGE_LIMITS: limit::Limits = limit::Limits {
    per_client: 20,
    global: 600,
};

/// Automation for one service desk calls from a few addresses.
pub const HOOK_LIMITS: limit::Limits = limit::Limits {
    per_client: 120,
    global: 1_200,
};

impl Default for Limits {
    fn default() -> Self {
        Limits {
            page: limit::Shared::new("page", PAGE_LIMITS),
            hooks: limit::Shared::new("hooks", HOOK_LIMITS),
        }
    }
}

impl Service {
    /// Answers one anonymous request (see the module docs) at `now`.
    /// Always answers; nothing here needs or reads a session.
    pub fn handle_public(&self, request: &PublicRequest, now: Millis) -> ApiResponse {
        // A preview-only server applies nothing, so its anonymous routes
        // (which can restore or activate accounts) do not exist there.
        if self.options().preview_only {
            return page::not_found();
        }
        if request.body.len() > MAX_BODY {
            return page::too_large();
        }
        let path = request.path.trim_end_matches('/');
        if path == "/access/request" {
            if !self
                .access_limits()
                .page
                .admit(self.store(), request.client(), now)
            {
                return page::too_many();
            }
            return match request.method.as_str() {
                "GET" => request::show(self, request, now),
                "POST" => request::submit(self, request, now),
                _ => page::method_not_allowed("GET, POST"),
            };
        }
        if let Some(hook_id) = path.strip_prefix("/hooks/access/") {
            if !self
                .access_limits()
                .hooks
                .admit(self.store(), request.client(), now)
            {
                return hook_call::too_many();
            }
            if request.method != "POST" {
                return page::method_not_allowed("POST");
            }
            return hook_call::call(self, hook_id, request, now);
        }
        page::not_found()
    }
}
