//! The Seatwarden service behind a handle, and the requests it answers.
//!
//! A plugin opens one [`Application`] over its Java host and Java record
//! store (see `java_host.rs`, `java_store.rs`) and calls it from its own
//! threads: `handle` for each admin request, `tick` from the scheduler job,
//! `on_login` from the login listener, `drive` from its executor. Everything
//! here is plain Rust over `seatwarden_service` (bytes in, envelope out), so
//! it is unit-tested with the service's in-memory host and store; the entry
//! points only move bytes and build the Java ports.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use seatwarden_core::Millis;
use seatwarden_service::api::{ApiError, ApiErrorKind, ApiRequest, Method, RequestContext};
use seatwarden_service::host::Host;
use seatwarden_service::service::ErrorKind as ServiceErrorKind;
use seatwarden_service::service::{
    AccountState, CheckId, CheckOutcome, InactiveRefusal, LoginFacts, Verification,
};
use seatwarden_service::store::Store;
use seatwarden_service::{Service, ServiceError, ServiceOptions};

use crate::envelope::{self, ErrorKind, WireError};
use crate::registry::Registry;

/// `{"version":1,"instanceName":…,…}`: how the plugin sets the service up.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct OpenOptions {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    /// The instance's name (mail placeholders, `/api/me`).
    instance_name: String,
    /// The product's base URL (mail links).
    base_url: String,
    /// `jira`, `confluence` or `standalone`.
    product: String,
    /// This node's identity for leases, unique per cluster node.
    node_id: String,
    /// Users per host page when reading the directory.
    #[serde(default)]
    page_size: Option<usize>,
    /// Actions per `drive` slice.
    #[serde(default)]
    slice_size: Option<usize>,
    /// How long a policy lease lasts unless renewed, in ms.
    #[serde(default)]
    lease_ttl_ms: Option<u64>,
    /// Enables `/api/demo/*` (never in a product).
    #[serde(default)]
    demo: bool,
}

impl OpenOptions {
    /// Parses and checks the options of `serviceOpen`.
    pub(crate) fn parse(bytes: &[u8]) -> Result<OpenOptions, WireError> {
        let options: OpenOptions = envelope::parse_request(bytes)?;
        let bad = |field: &str, what: &str| {
            Err(
                WireError::new(ErrorKind::BadRequest, format!("field `{field}`: {what}"))
                    .with_details(json!({ "field": field })),
            )
        };
        if options.node_id.trim().is_empty() {
            return bad("nodeId", "must not be empty");
        }
        if !matches!(
            options.product.as_str(),
            "jira" | "confluence" | "standalone"
        ) {
            return bad("product", "must be `jira`, `confluence` or `standalone`");
        }
        if options.page_size == Some(0) {
            return bad("pageSize", "must be at least 1");
        }
        if options.slice_size == Some(0) {
            return bad("sliceSize", "must be at least 1");
        }
        if options.lease_ttl_ms == Some(0) {
            return bad("leaseTtlMs", "must be at least 1");
        }
        Ok(options)
    }

    /// The service options these stand for (defaults where absent).
    pub(crate) fn service_options(&self) -> ServiceOptions {
        let defaults = ServiceOptions::default();
        ServiceOptions {
            instance_name: self.instance_name.clone(),
            base_url: self.base_url.clone(),
            product: self.product.clone(),
            demo: self.demo,
            node_id: self.node_id.clone(),
            page_size: self.page_size.unwrap_or(defaults.page_size),
            slice_size: self.slice_size.unwrap_or(defaults.slice_size),
            lease_ttl: self
                .lease_ttl_ms
                .map_or(defaults.lease_ttl, Duration::from_millis),
            // A product's own directory is never a preview.
            preview_only: false,
            // No key in the products: the password stays in the product's
            // database as before (docs/standalone.md, "What protects the
            // SMTP password": Atlassian's Plugin Secrets Service starts
            // with Jira DC 12 / Confluence DC 11).
            secret_key: None,
            forget_sealed_password: false,
        }
    }
}

/// What the host verified about the caller (the Java `ApiRequest.Context`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct ContextWire {
    actor: Option<String>,
    sysadmin: bool,
    client_ip: Option<String>,
    xsrf_verified: bool,
    websudo_verified: bool,
}

/// `serviceHandle`'s request: the admin request and the instant.
///
/// The body travels as text when it is UTF-8 (JSON, CSV) and as hex
/// otherwise (an upload in another encoding), never as a JSON array of numbers.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct HandleRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    pub(crate) now: i64,
    method: String,
    path: String,
    #[serde(default)]
    query: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_hex: Option<String>,
    #[serde(default)]
    context: ContextWire,
}

/// `servicePublic`'s request: an anonymous request as the public servlet
/// received it (no session, no actor: the routes authenticate the request
/// itself by its signed link or signature).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PublicWire {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    now: i64,
    method: String,
    path: String,
    #[serde(default)]
    query: Vec<(String, String)>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_hex: Option<String>,
    #[serde(default)]
    client_ip: Option<String>,
}

/// `serviceHandle`'s result: the response, body as text or hex like the request's.
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HandleResponse {
    status: u16,
    content_type: String,
    headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body_hex: Option<String>,
}

/// `serviceLogin`'s request: who logged in, and when.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct LoginRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    /// The login name (or key) the product reported.
    username: String,
    now: i64,
    /// The product completed the login of the request whose credentials
    /// the login filter verified (confirms a provisional grant).
    #[serde(default)]
    completes: bool,
}

/// `serviceLoginCheck`'s request: who, when, and what the filter saw of the
/// account (absent facts read as the strictest: a deactivated account whose
/// directory refuses it before the password).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CheckRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    username: String,
    now: i64,
    #[serde(default)]
    state: Option<AccountState>,
    #[serde(default)]
    inactive_refusal: Option<InactiveRefusal>,
}

/// `serviceLoginCheckBegan`'s request: who, when, and how the check is made
/// (the engine's `verification`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct BeganRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    username: String,
    now: i64,
    verification: Verification,
}

/// `serviceLoginVerified`'s request: a check ended verified; give access
/// back provisionally.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct VerifiedRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    /// The id `serviceLoginCheckBegan` answered.
    check: i64,
    now: i64,
}

/// `serviceLoginCheckEnded`'s request: which check, how it ended, when.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CheckEndedRequest {
    #[allow(
        dead_code,
        reason = "checked by `parse_request` before the body is read"
    )]
    version: u32,
    /// The id `serviceLoginCheckBegan` answered.
    check: i64,
    /// `verified`, `not_verified` or `failed`.
    outcome: CheckOutcome,
    now: i64,
}

/// `serviceLoginCheckBegan`'s result.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct CheckBegan {
    /// Names the check when it ends.
    check: CheckId,
}

/// `serviceLoginCheckEnded`'s result.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct CheckEnded {
    /// The check that ended.
    check: CheckId,
}

/// `serviceDrive`'s result.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Driven {
    /// More background work is queued.
    more: bool,
}

/// The result of opening a service.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Opened {
    /// The handle to pass to later calls.
    handle: i64,
}

/// One service over one host and one store: what a service handle points at.
pub(crate) struct Application {
    service: Service,
}

impl Application {
    /// A service over `host` and `store`; reads the stored configuration.
    pub(crate) fn new(
        host: Arc<dyn Host>,
        store: Arc<dyn Store>,
        options: &OpenOptions,
    ) -> Result<Application, WireError> {
        let service =
            Service::new(host, store, options.service_options()).map_err(service_error)?;
        Ok(Application { service })
    }

    /// The service (for the streamed entry point and the testing ones).
    pub(crate) fn service(&self) -> &Service {
        &self.service
    }

    /// Answers an admin request. Only a malformed envelope is an error; the
    /// API's own refusals (401, 403, 404, 422…) are responses.
    pub(crate) fn handle(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: HandleRequest| {
            let now = Millis(req.now);
            let response = match api_request(req) {
                Ok(request) => self.service.handle(&request, now),
                Err(refusal) => refusal.into_response(),
            };
            Ok(encode_response(response))
        })
    }

    /// Answers an anonymous request (`Service::handle_public`). Only a
    /// malformed envelope is an error; every refusal is a response.
    pub(crate) fn handle_public(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: PublicWire| {
            let body = body_bytes(req.body, req.body_hex)
                .map_err(|why| WireError::new(ErrorKind::BadRequest, why))?;
            let request = seatwarden_service::access::PublicRequest {
                method: req.method,
                path: req.path,
                query: req.query,
                headers: req.headers,
                body,
                client_ip: req.client_ip,
            };
            Ok(encode_response(
                self.service.handle_public(&request, Millis(req.now)),
            ))
        })
    }

    /// The scheduler tick at `now`.
    pub(crate) fn tick(&self, now: i64) -> Vec<u8> {
        envelope::respond(self.service.tick(Millis(now)).map_err(service_error))
    }

    /// A login (`{"version":1,"username":…,"now":…}`).
    pub(crate) fn on_login(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: LoginRequest| {
            let now = Millis(req.now);
            if req.completes {
                self.service.login_completed(&req.username, now)
            } else {
                self.service.on_login(&req.username, now)
            }
            .map_err(service_error)
        })
    }

    /// A check ended verified (`{"version":1,"check":…,"now":…}`): the
    /// login outcome of the provisional grant.
    pub(crate) fn login_verified(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: VerifiedRequest| {
            self.service
                .login_verified(CheckId(req.check), Millis(req.now))
                .map_err(service_error)
        })
    }

    /// Before the login filter checks a password
    /// (`{"version":1,"username":…,"now":…}`): the engine's verdict.
    pub(crate) fn login_check(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: CheckRequest| {
            let facts = LoginFacts {
                state: req.state.unwrap_or(LoginFacts::UNKNOWN.state),
                inactive_refusal: req
                    .inactive_refusal
                    .unwrap_or(LoginFacts::UNKNOWN.inactive_refusal),
            };
            self.service
                .login_check(&req.username, facts, Millis(req.now))
                .map_err(service_error)
        })
    }

    /// A password check begins (`{"version":1,"username":…,"now":…}`);
    /// the result is `{check}`.
    pub(crate) fn login_check_began(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: BeganRequest| {
            self.service
                .login_check_began(&req.username, req.verification, Millis(req.now))
                .map(|check| CheckBegan { check })
                .map_err(service_error)
        })
    }

    /// A password check ended (`{"version":1,"check":…,"outcome":…,"now":…}`).
    pub(crate) fn login_check_ended(&self, request: &[u8]) -> Vec<u8> {
        envelope::handle(request, |req: CheckEndedRequest| {
            let check = CheckId(req.check);
            self.service
                .login_check_ended(check, req.outcome, Millis(req.now))
                .map(|()| CheckEnded { check })
                .map_err(service_error)
        })
    }

    /// One slice of background work at `now`.
    pub(crate) fn drive(&self, now: i64) -> Vec<u8> {
        envelope::respond(
            self.service
                .drive(Millis(now))
                .map(|more| Driven { more })
                .map_err(service_error),
        )
    }
}

/// Opens an application in `registry`; the result is `{handle}`.
pub(crate) fn open_in(
    registry: &Registry<Application>,
    application: Application,
) -> Result<Opened, WireError> {
    Ok(Opened {
        handle: registry.insert(application),
    })
}

/// The application behind `handle`, or the `closed` error.
pub(crate) fn lookup(
    registry: &Registry<Application>,
    handle: i64,
) -> Result<Arc<Application>, WireError> {
    registry.get(handle).ok_or_else(|| {
        WireError::new(
            ErrorKind::Closed,
            format!("service handle {handle} is closed or was never opened"),
        )
        .with_details(json!({ "handle": handle }))
    })
}

/// The service's request, or the response refusing it.
pub(crate) fn api_request(req: HandleRequest) -> Result<ApiRequest, ApiError> {
    let Some(method) = Method::parse(&req.method) else {
        return Err(ApiError::new(
            ApiErrorKind::MethodNotAllowed,
            format!("method `{}` is not allowed", req.method),
        ));
    };
    let body = body_bytes(req.body, req.body_hex).map_err(ApiError::bad_request)?;
    Ok(ApiRequest {
        method,
        path: req.path,
        query: req.query,
        // The decoded buffer itself (no copy).
        body: body.into(),
        context: RequestContext {
            actor: req.context.actor,
            sysadmin: req.context.sysadmin,
            client_ip: req.context.client_ip,
            xsrf_verified: req.context.xsrf_verified,
            websudo_verified: req.context.websudo_verified,
            now: Millis(req.now),
        },
    })
}

/// A request's body from its wire form: text, or hex when it is not UTF-8.
fn body_bytes(text: Option<String>, hex_text: Option<String>) -> Result<Vec<u8>, &'static str> {
    match (text, hex_text) {
        (Some(_), Some(_)) => Err("a request carries `body` or `bodyHex`, not both"),
        (Some(text), None) => Ok(text.into_bytes()),
        (None, Some(hex_text)) => {
            hex::decode(hex_text).map_err(|_| "field `bodyHex` is not hexadecimal")
        }
        (None, None) => Ok(Vec::new()),
    }
}

fn encode_response(response: seatwarden_service::api::ApiResponse) -> HandleResponse {
    HandleResponse::from(response)
}

impl From<seatwarden_service::api::ApiResponse> for HandleResponse {
    fn from(response: seatwarden_service::api::ApiResponse) -> Self {
        let (body, body_hex) = match String::from_utf8(response.body) {
            Ok(text) => (Some(text), None),
            // A streamed head carries no body at all.
            Err(bytes) => (None, Some(hex::encode(bytes.into_bytes()))),
        };
        HandleResponse {
            status: response.status,
            content_type: response.content_type,
            headers: response.headers,
            body,
            body_hex,
        }
    }
}

/// A service error as Java sees it.
///
/// The kind is [`ServiceError::kind`]'s, the same decision the HTTP edge
/// maps from; this only names its JNI form (`validation` has no class of its
/// own in Java: it is a bad request). `details.source` says which part failed.
pub(crate) fn service_error(err: ServiceError) -> WireError {
    let kind = match err.kind() {
        ServiceErrorKind::Validation => ErrorKind::BadRequest,
        // The envelope has no "gone": a dropped plan is not found any more,
        // and the message says why.
        ServiceErrorKind::NotFound | ServiceErrorKind::Gone => ErrorKind::NotFound,
        ServiceErrorKind::Conflict => ErrorKind::Conflict,
        ServiceErrorKind::Unavailable => ErrorKind::Unavailable,
        ServiceErrorKind::Internal => ErrorKind::Internal,
    };
    let mut details = err.details().unwrap_or_else(|| json!({}));
    if let Some(map) = details.as_object_mut() {
        map.insert("source".to_owned(), json!(err.origin().as_str()));
    }
    WireError::new(kind, err.to_string()).with_details(details)
}

#[cfg(test)]
mod tests {
    use seatwarden_core::snapshot::SnapshotFile;
    use seatwarden_service::host::memory::MemoryDirectory;
    use seatwarden_service::store::MemoryStore;
    use seatwarden_service::store::StoreError;
    use serde_json::Value;

    use super::*;

    const OPTIONS: &[u8] = br#"{"version":1,"instanceName":"Test","baseUrl":"http://jira.example.invalid","product":"jira","nodeId":"n1","pageSize":2}"#;

    fn snapshot() -> SnapshotFile {
        serde_json::from_slice(include_bytes!(
            "../../../java-shim/src/test/resources/snapshot-small.json"
        ))
        .unwrap()
    }

    fn app() -> Application {
        let options = OpenOptions::parse(OPTIONS).unwrap();
        Application::new(
            Arc::new(MemoryDirectory::new(snapshot())),
            Arc::new(MemoryStore::new()),
            &options,
        )
        .unwrap()
    }

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    fn request(
        method: &str,
        path: &str,
        sysadmin: bool,
        xsrf: bool,
        body: Option<&str>,
    ) -> Vec<u8> {
        let mut req = json!({
            "version": 1, "now": 1_763_690_400_000_i64, "method": method, "path": path,
            "context": {"actor": "admin", "sysadmin": sysadmin, "xsrfVerified": xsrf, "websudoVerified": true}
        });
        if let Some(b) = body {
            req["body"] = json!(b);
        }
        serde_json::to_vec(&req).unwrap()
    }

    /// `policy` with the configuration version `app` holds now (a policy
    /// write without one is refused, `docs/api.md`).
    fn versioned(app: &Application, policy: &str) -> String {
        let listed = parse(&app.handle(&request("GET", "/api/policies", true, true, None)));
        let list: Value = serde_json::from_str(listed["result"]["body"].as_str().unwrap()).unwrap();
        let mut policy: Value = serde_json::from_str(policy).unwrap();
        policy["configVersion"] = list["configVersion"].clone();
        policy.to_string()
    }

    #[test]
    fn options_are_checked_and_defaulted() {
        let options = OpenOptions::parse(OPTIONS).unwrap().service_options();
        assert_eq!(options.page_size, 2);
        assert_eq!(options.slice_size, ServiceOptions::default().slice_size);
        assert_eq!(options.product, "jira");
        let err = OpenOptions::parse(
            br#"{"version":1,"instanceName":"T","baseUrl":"u","product":"bamboo","nodeId":"n"}"#,
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert_eq!(err.details, json!({"field": "product"}));
        let err = OpenOptions::parse(
            br#"{"version":1,"instanceName":"T","baseUrl":"u","product":"jira","nodeId":" "}"#,
        )
        .unwrap_err();
        assert_eq!(err.details, json!({"field": "nodeId"}));
        let err = OpenOptions::parse(br#"{"version":3}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnsupportedVersion);
    }

    #[test]
    fn admin_requests_answer_with_status_and_text_body() {
        let app = app();
        let answer = parse(&app.handle(&request("GET", "/api/users", true, false, None)));
        assert_eq!(answer["ok"], true, "{answer}");
        assert_eq!(answer["result"]["status"], 200);
        assert_eq!(answer["result"]["contentType"], "application/json");
        let body: Value = serde_json::from_str(answer["result"]["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["total"], 6, "{body}");
    }

    #[test]
    fn refusals_are_responses_not_errors() {
        let app = app();
        let non_admin = parse(&app.handle(&request("GET", "/api/users", false, true, None)));
        assert_eq!(non_admin["result"]["status"], 403);
        let no_xsrf =
            parse(&app.handle(&request("POST", "/api/policies", true, false, Some("{}"))));
        assert_eq!(no_xsrf["result"]["status"], 403);
        let odd = parse(&app.handle(&request("PATCH", "/api/users", true, true, None)));
        assert_eq!(odd["result"]["status"], 405);
        let malformed = parse(&app.handle(br#"{"version":1,"now":0}"#));
        assert_eq!(malformed["error"]["kind"], "bad_request");
    }

    #[test]
    fn bodies_that_are_not_utf8_travel_as_hex() {
        let encoded = encode_response(seatwarden_service::api::ApiResponse {
            status: 200,
            content_type: "application/octet-stream".into(),
            headers: vec![],
            body: vec![0xff, 0x00],
        });
        assert_eq!(encoded.body, None);
        assert_eq!(encoded.body_hex.as_deref(), Some("ff00"));
        let req: HandleRequest = serde_json::from_str(
            r#"{"version":1,"now":0,"method":"post","path":"/api/import/validate","bodyHex":"ff00"}"#,
        )
        .unwrap();
        assert_eq!(api_request(req).unwrap().body, vec![0xff, 0x00]);
        let both: HandleRequest = serde_json::from_str(
            r#"{"version":1,"now":0,"method":"POST","path":"/x","body":"a","bodyHex":"61"}"#,
        )
        .unwrap();
        assert_eq!(
            api_request(both).unwrap_err().kind,
            ApiErrorKind::BadRequest
        );
    }

    #[test]
    fn tick_login_and_drive_answer_their_reports() {
        let app = app();
        let tick = parse(&app.tick(1_763_690_400_000));
        assert_eq!(tick["ok"], true, "{tick}");
        assert_eq!(tick["result"]["runs"], json!([]));
        let login =
            parse(&app.on_login(br#"{"version":1,"username":"nobody-known","now":1763690400000}"#));
        assert_eq!(login["ok"], true, "{login}");
        assert_eq!(login["result"]["applied"], json!([]));
        let drive = parse(&app.drive(1_763_690_400_000));
        assert_eq!(drive["result"], json!({"more": false}));
    }

    #[test]
    fn a_login_check_is_decided_and_journaled() {
        let app = app();
        let now = 1_763_690_400_000_i64;
        let policy = r#"{"name":"Back","mode":"live","action":{"kind":"reactivate"}}"#;
        let mut req = serde_json::from_slice::<Value>(&request(
            "POST",
            "/api/policies",
            true,
            true,
            Some(&versioned(&app, policy)),
        ))
        .unwrap();
        req["now"] = json!(now);
        let created = parse(&app.handle(&serde_json::to_vec(&req).unwrap()));
        assert_eq!(created["result"]["status"], 201, "{created}");
        let ask = |user: &str| {
            parse(&app.login_check(
                format!(
                    r#"{{"version":1,"username":"{user}","now":{now},"state":"inactive","inactiveRefusal":"after_credential"}}"#
                )
                .as_bytes(),
            ))
        };
        let check = ask("drew.park");
        assert_eq!(check["result"]["verdict"], "verify", "{check}");
        assert_eq!(check["result"]["verification"], "proof", "{check}");
        assert_eq!(check["result"]["user"], "JIRAUSER10103");
        // Without facts the engine reads the strictest case: an internal
        // directory, no probe opted in, so nothing can verify safely.
        let unknown_facts = parse(&app.login_check(
            format!(r#"{{"version":1,"username":"drew.park","now":{now}}}"#).as_bytes(),
        ));
        assert_eq!(
            unknown_facts["result"]["why"], "no_safe_verification",
            "{unknown_facts}"
        );
        let active = ask("avery.lin");
        assert_eq!(active["result"]["verdict"], "not_needed", "{active}");
        assert_eq!(active["result"]["why"], "nothing_to_do");

        let began = parse(
            &app.login_check_began(
                format!(
                    r#"{{"version":1,"username":"drew.park","now":{now},"verification":"proof"}}"#
                )
                .as_bytes(),
            ),
        );
        let id = began["result"]["check"].as_i64().unwrap();
        let ended = parse(
            &app.login_check_ended(
                format!(r#"{{"version":1,"check":{id},"outcome":"not_verified","now":{now}}}"#)
                    .as_bytes(),
            ),
        );
        assert_eq!(ended["result"], json!({"check": id}), "{ended}");
        let backed_off = ask("drew.park");
        assert_eq!(backed_off["result"]["verdict"], "back_off", "{backed_off}");
        assert_eq!(
            backed_off["result"]["until"],
            now + seatwarden_service::service::probe::BACKOFF_MS
        );

        let bad = parse(&app.login_check_ended(
            format!(r#"{{"version":1,"check":{id},"outcome":"maybe","now":{now}}}"#).as_bytes(),
        ));
        assert_eq!(bad["error"]["kind"], "bad_request", "{bad}");
        let unknown = parse(&app.login_check_ended(
            format!(r#"{{"version":1,"check":77777,"outcome":"failed","now":{now}}}"#).as_bytes(),
        ));
        assert_eq!(unknown["error"]["kind"], "not_found", "{unknown}");
        let refused = parse(
            &app.login_verified(format!(r#"{{"version":1,"check":{id},"now":{now}}}"#).as_bytes()),
        );
        assert_eq!(refused["error"]["kind"], "conflict", "{refused}");
        let nobody = parse(
            &app.login_check_began(
                format!(
                    r#"{{"version":1,"username":"no.one","now":{now},"verification":"probe"}}"#
                )
                .as_bytes(),
            ),
        );
        assert_eq!(nobody["error"]["kind"], "not_found", "{nobody}");
        assert!(!nobody.to_string().contains("no.one"), "{nobody}");
    }

    #[test]
    fn a_scheduled_run_over_the_record_store_is_audited() {
        // The combination the plugin runs: the service over `RecordStore`
        // (here on the in-memory backend instead of the Java rows).
        let options = OpenOptions::parse(OPTIONS).unwrap();
        let store = seatwarden_store_records::RecordStore::new(
            seatwarden_store_records::MemoryBackend::new(),
        );
        let app = Application::new(
            Arc::new(MemoryDirectory::new(snapshot())),
            Arc::new(store),
            &options,
        )
        .unwrap();
        let now = 1_763_690_400_000_i64;
        let policy = r#"{"name":"Idle","mode":"safe","trigger":{"kind":"scheduler"},"condition":{"kind":"inactive","days":1},"action":{"kind":"deactivate"}}"#;
        let mut req = serde_json::from_slice::<Value>(&request(
            "POST",
            "/api/policies",
            true,
            true,
            Some(&versioned(&app, policy)),
        ))
        .unwrap();
        req["now"] = json!(now);
        let created = parse(&app.handle(&serde_json::to_vec(&req).unwrap()));
        assert_eq!(created["result"]["status"], 201, "{created}");
        let tick = parse(&app.tick(now + 86_400_000 + 3 * 3_600_000));
        let runs = tick["result"]["runs"]
            .as_array()
            .unwrap_or_else(|| panic!("{tick}"))
            .clone();
        assert_eq!(runs.len(), 1, "{tick}");
        let path = format!("/api/runs/{}", runs[0]);
        let run = parse(&app.handle(&request("GET", &path, true, false, None)));
        assert_eq!(run["result"]["status"], 200, "{run}");
        let body: Value = serde_json::from_str(run["result"]["body"].as_str().unwrap()).unwrap();
        assert_eq!(body["run"]["status"], "previewed", "{body}");
    }

    #[test]
    fn every_service_error_variant_has_its_kind_at_the_jni_edge() {
        use ErrorKind::*;
        // The same order as `ServiceError::examples`; the HTTP edge pins the
        // same list as statuses (`api::routes` tests), so the edges agree.
        let expected = [
            Unavailable,
            Internal,
            Internal,
            Internal,
            Internal, // host side
            Conflict,
            Internal,
            NotFound,
            Internal,
            Internal,
            Internal,
            Internal,
            NotFound,
            Internal,
            Internal,
            Unavailable,
            Unavailable, // store
            Internal,
            BadRequest, // document
            Unavailable,
            Internal, // outbox
            NotFound,
            NotFound,
            NotFound,
            NotFound,
            NotFound,
            NotFound, // missing
            Conflict,
            Conflict, // held on another organization
            Conflict,
            Conflict,
            Conflict,
            Conflict,
            Conflict,
            NotFound, // a plan no longer kept
            Conflict,
            Conflict,
            Conflict,
            Conflict,
            Conflict,   // state
            BadRequest, // bulk
            Conflict,
            Conflict,   // provisional access at login
            BadRequest, // exemption refused
            NotFound,   // review item
        ];
        let examples = ServiceError::examples();
        assert_eq!(examples.len(), expected.len());
        for (err, kind) in examples.into_iter().zip(expected) {
            let what = format!("{err:?}");
            let wire = service_error(err);
            assert_eq!(wire.kind, kind, "{what}");
            assert!(wire.details["source"].is_string(), "{what}");
        }
    }

    #[test]
    fn a_stale_configuration_carries_its_versions_at_the_jni_edge() {
        let wire = service_error(ServiceError::Store(StoreError::Conflict {
            expected: seatwarden_service::store::ConfigVersion(1),
            actual: seatwarden_service::store::ConfigVersion(2),
        }));
        assert_eq!(
            wire.details,
            json!({"expected": 1, "actual": 2, "source": "store"})
        );
    }

    #[test]
    fn closed_service_handles_are_the_closed_kind() {
        let registry = Registry::new();
        let opened = open_in(&registry, app()).unwrap();
        assert!(lookup(&registry, opened.handle).is_ok());
        assert!(registry.remove(opened.handle));
        let err = lookup(&registry, opened.handle).err().unwrap();
        assert_eq!(err.kind, ErrorKind::Closed);
    }
}
