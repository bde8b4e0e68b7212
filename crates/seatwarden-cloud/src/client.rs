//! The HTTP client: one place for authentication, rate limits, retries and
//! turning statuses into [`CloudError`]s.
//!
//! Why `ureq` (3.x, blocking, rustls with ring and webpki roots): the Host
//! port is synchronous and the service calls it from its own worker threads,
//! so an async client would only add a runtime to block on; ureq reuses the
//! rustls/ring/webpki-roots build the workspace already has for SMTP (no
//! OpenSSL, nothing new to compile for TLS), and it is widely used and
//! maintained. Redirects are off: the APIs do not redirect, and following one
//! would carry the Authorization header to wherever it points.
//!
//! The retry rules (one place, [`RetryPolicy`]):
//! - 429: wait what `Retry-After` says (seconds or an HTTP date; capped at
//!   `max_wait`), or
//!   `default_wait` without one, up to `max_rate_limited` times in a row;
//! - 5xx and transport errors: up to `max_server_errors` retries with
//!   doubling waits. Writes are retried too: every write the connector makes
//!   is idempotent on Atlassian's side (suspending a suspended user, adding a
//!   member twice), so a retry after a lost answer repeats no change;
//! - anything else is answered at once.
//!
//! Waiting goes through [`Pause`], so tests count the waits instead of
//! sleeping through them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{CloudError, Credential, Permission};
use crate::wire::ApiErrors;

/// A secret (API key or token): never printed, never compared in logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }
    /// The value, for the Authorization header only.
    fn expose(&self) -> &str {
        &self.0
    }
    /// The value, for the one other reader: the standalone server's
    /// connection file (owner-only, `docs/cloud.md`). Nothing else may
    /// call this.
    pub fn expose_for_storage(&self) -> &str {
        &self.0
    }
    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// Where and as whom the connector talks to Atlassian. Its `Debug` shows
/// neither secret nor the site admin's email.
#[derive(Clone)]
pub struct CloudConfig {
    /// The admin APIs' base, `https://api.atlassian.com` (the fake's address
    /// in tests and the demo).
    pub admin_base: String,
    /// The organization's id (Atlassian Administration › Settings › API keys).
    pub org_id: String,
    /// The directory to work in; `-` means every directory the key may manage.
    pub directory_id: String,
    /// The organization API key (Bearer).
    pub api_key: Secret,
    /// The Jira site, `https://your-domain.atlassian.net`.
    pub site_base: String,
    /// The site admin's email (Basic user).
    pub site_email: String,
    /// The site admin's API token (Basic password).
    pub site_token: Secret,
}

impl std::fmt::Debug for CloudConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudConfig")
            .field("admin_base", &self.admin_base)
            .field("org_id", &self.org_id)
            .field("directory_id", &self.directory_id)
            .field("site_base", &self.site_base)
            .finish_non_exhaustive()
    }
}

/// How long and how often to wait. See the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// 429s waited out in a row before giving up.
    pub max_rate_limited: u32,
    /// Retries after a 5xx or a transport error.
    pub max_server_errors: u32,
    /// The wait after a 429 without `Retry-After`.
    pub default_wait: Duration,
    /// The longest single wait (a `Retry-After` above it is capped).
    pub max_wait: Duration,
    /// The first wait after a 5xx (doubled each retry).
    pub first_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_rate_limited: 20,
            max_server_errors: 4,
            default_wait: Duration::from_secs(5),
            max_wait: Duration::from_secs(300),
            first_backoff: Duration::from_secs(1),
        }
    }
}

/// Waits. The real one sleeps; tests record.
pub trait Pause: Send + Sync {
    /// Waits `duration`.
    fn pause(&self, duration: Duration);
}

/// Sleeps the calling thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Sleep;

impl Pause for Sleep {
    fn pause(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Delete,
}

/// Which API a path belongs to (decides base URL and credential).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// `api.atlassian.com/admin/…`, Bearer key.
    Admin,
    /// `api.atlassian.com/users/…/manage…`, Bearer key.
    UserManagement,
    /// The Jira site, Basic email:token.
    Site,
}

/// One request.
pub(crate) struct Call {
    pub method: Method,
    pub api: Api,
    pub path: String,
    pub body: Option<serde_json::Value>,
    /// What it is for, in words ("read users"): goes into errors.
    pub what: &'static str,
    /// What a 403 means for this call.
    pub permission: Permission,
}

impl Call {
    pub(crate) fn new(
        method: Method,
        api: Api,
        path: String,
        what: &'static str,
        permission: Permission,
    ) -> Call {
        Call {
            method,
            api,
            path,
            body: None,
            what,
            permission,
        }
    }

    pub(crate) fn json(mut self, body: &impl Serialize) -> Result<Self, CloudError> {
        self.body = Some(serde_json::to_value(body).map_err(|e| CloudError::Invalid {
            call: self.what,
            reason: format!("request body: {e}"),
        })?);
        Ok(self)
    }
}

/// Counters the bench and tests read.
#[derive(Debug, Default)]
pub struct Counters {
    requests: AtomicU64,
    rate_limited: AtomicU64,
    server_errors: AtomicU64,
}

impl Counters {
    /// Requests sent (every attempt counts).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
    /// 429 answers waited out.
    pub fn rate_limited(&self) -> u64 {
        self.rate_limited.load(Ordering::Relaxed)
    }
    /// 5xx answers (and transport errors) retried or given up on.
    pub fn server_errors(&self) -> u64 {
        self.server_errors.load(Ordering::Relaxed)
    }
}

/// The client.
pub struct CloudClient {
    config: CloudConfig,
    agent: ureq::Agent,
    policy: RetryPolicy,
    pause: Arc<dyn Pause>,
    counters: Counters,
}

impl std::fmt::Debug for CloudClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudClient")
            .field("config", &self.config)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

/// The parts of a response the connector reads.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

impl CloudClient {
    /// A client over `config` with the default policy and real sleeping.
    pub fn new(config: CloudConfig) -> CloudClient {
        CloudClient::with_policy(config, RetryPolicy::default(), Arc::new(Sleep))
    }

    /// A client with its own retry policy and pause.
    pub fn with_policy(
        config: CloudConfig,
        policy: RetryPolicy,
        pause: Arc<dyn Pause>,
    ) -> CloudClient {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("seatwarden-cloud/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        CloudClient {
            config,
            agent,
            policy,
            pause,
            counters: Counters::default(),
        }
    }

    /// The configuration (secrets stay wrapped).
    pub fn config(&self) -> &CloudConfig {
        &self.config
    }

    /// Request counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Sends `call` and reads a JSON answer.
    pub(crate) fn json<T: DeserializeOwned>(&self, call: &Call) -> Result<T, CloudError> {
        let body = self.send(call)?;
        serde_json::from_str(&body).map_err(|e| CloudError::Invalid {
            call: call.what,
            // Only where and what kind: serde's message may quote a value.
            reason: format!(
                "{:?} error at line {}, column {}",
                e.classify(),
                e.line(),
                e.column()
            ),
        })
    }

    /// Sends `call`; the body of a 2xx answer.
    pub(crate) fn send(&self, call: &Call) -> Result<String, CloudError> {
        let mut waits = 0u32;
        let mut failures = 0u32;
        loop {
            self.counters.requests.fetch_add(1, Ordering::Relaxed);
            let answer = match self.once(call) {
                Ok(answer) => answer,
                Err(reason) => {
                    self.counters.server_errors.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    if failures > self.policy.max_server_errors {
                        return Err(CloudError::Unreachable {
                            call: call.what,
                            reason,
                        });
                    }
                    self.pause.pause(self.backoff(failures));
                    continue;
                }
            };
            match answer.status {
                200..=299 => return Ok(answer.body),
                429 => {
                    self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                    waits += 1;
                    if waits > self.policy.max_rate_limited {
                        return Err(CloudError::RateLimited {
                            call: call.what,
                            waits: waits - 1,
                        });
                    }
                    let wait = answer
                        .retry_after
                        .unwrap_or(self.policy.default_wait)
                        .min(self.policy.max_wait);
                    self.pause.pause(wait);
                }
                500..=599 => {
                    self.counters.server_errors.fetch_add(1, Ordering::Relaxed);
                    failures += 1;
                    if failures > self.policy.max_server_errors {
                        return Err(CloudError::ServerError {
                            call: call.what,
                            status: answer.status,
                            attempts: failures,
                        });
                    }
                    self.pause.pause(self.backoff(failures));
                }
                status => return Err(self.refusal(call, status, &answer.body)),
            }
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32 << failures.saturating_sub(1).min(8);
        (self.policy.first_backoff * factor).min(self.policy.max_wait)
    }

    fn credential(&self, api: Api) -> Credential {
        match api {
            Api::Admin | Api::UserManagement => Credential::OrgApiKey,
            Api::Site => Credential::SiteToken,
        }
    }

    fn refusal(&self, call: &Call, status: u16, body: &str) -> CloudError {
        let credential = self.credential(call.api);
        match status {
            401 => CloudError::Unauthorized {
                credential,
                call: call.what,
            },
            403 => CloudError::Forbidden {
                credential,
                call: call.what,
                permission: call.permission,
            },
            404 => CloudError::NotFound { call: call.what },
            _ => CloudError::Rejected {
                call: call.what,
                status,
                code: serde_json::from_str::<ApiErrors>(body)
                    .ok()
                    .and_then(|e| e.errors.into_iter().find_map(|e| e.code))
                    .filter(|c| c.len() <= 64 && c.chars().all(|c| c.is_ascii_graphic())),
            },
        }
    }

    fn authorization(&self, api: Api) -> String {
        match api {
            Api::Admin | Api::UserManagement => {
                format!("Bearer {}", self.config.api_key.expose())
            }
            Api::Site => {
                let pair = format!(
                    "{}:{}",
                    self.config.site_email,
                    self.config.site_token.expose()
                );
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                )
            }
        }
    }

    /// One attempt; `Err` is a transport failure, described without the URL.
    fn once(&self, call: &Call) -> Result<Answer, String> {
        let base = match call.api {
            Api::Admin | Api::UserManagement => &self.config.admin_base,
            Api::Site => &self.config.site_base,
        };
        let url = format!("{}{}", base.trim_end_matches('/'), call.path);
        let auth = self.authorization(call.api);
        let sent = match call.method {
            Method::Get => self
                .agent
                .get(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .call(),
            Method::Delete => self
                .agent
                .delete(&url)
                .header("Authorization", &auth)
                .header("Accept", "application/json")
                .call(),
            Method::Post => {
                let request = self
                    .agent
                    .post(&url)
                    .header("Authorization", &auth)
                    .header("Accept", "application/json");
                match &call.body {
                    Some(body) => request.send_json(body),
                    None => request.send_empty(),
                }
            }
        };
        let mut response = sent.map_err(|e| transport_reason(&e))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| retry_after(v, std::time::SystemTime::now()));
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|e| transport_reason(&e))?;
        Ok(Answer {
            status,
            retry_after,
            body,
        })
    }
}

/// The wait a `Retry-After` value asks for at `now`: either whole seconds
/// or an HTTP date (RFC 9110 §10.2.3 allows both; a date already past
/// means "now"). `None` for anything else, so the policy's default wait
/// applies rather than a guess.
pub(crate) fn retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A transport error in words, without the URL (it names accounts).
fn transport_reason(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(e) => format!("network error ({})", e.kind()),
        ureq::Error::Timeout(_) => "timed out".to_owned(),
        ureq::Error::HostNotFound => "host not found".to_owned(),
        ureq::Error::ConnectionFailed => "connection failed".to_owned(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => "TLS failed".to_owned(),
        ureq::Error::BodyExceedsLimit(_) => "answer too large".to_owned(),
        _ => "transport error".to_owned(),
    }
}

/// `s` as one URL path segment (everything but unreserved characters
/// percent-encoded).
pub(crate) fn segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use super::retry_after;

    /// 1994-11-06T08:49:37Z, the instant of RFC 9110's examples.
    fn rfc_instant() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(784_111_777)
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = rfc_instant() - Duration::from_secs(90);
        assert_eq!(retry_after(" 120 ", now), Some(Duration::from_secs(120)));
        // The three date forms RFC 9110 §5.6.7 names, each 90 s ahead.
        for date in [
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
        ] {
            assert_eq!(
                retry_after(date, now),
                Some(Duration::from_secs(90)),
                "{date}"
            );
        }
        assert_eq!(
            retry_after(
                "Sun, 06 Nov 1994 08:49:37 GMT",
                rfc_instant() + Duration::from_secs(5)
            ),
            Some(Duration::ZERO),
            "a date already past: retry now"
        );
        for junk in ["", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT"] {
            assert_eq!(retry_after(junk, now), None, "{junk:?}");
        }
    }
}
