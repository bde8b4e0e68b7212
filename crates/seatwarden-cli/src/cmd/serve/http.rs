//! The HTTP face of `serve`: sign-in, the admin API pass-through, the UI.
//!
//! The host's whole job per request is to establish facts — who is signed
//! in, whether the XSRF header matches, the client's address — and hand
//! them to the service in a [`RequestContext`]; the service decides what
//! they permit. The service is synchronous, so every API call runs on a
//! blocking thread. Every response carries the security headers; none
//! carries CORS headers, so other origins cannot read anything.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{any, get};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use seatwarden_service::Service;
use seatwarden_service::access::PublicRequest;
use seatwarden_service::api::{ApiRequest, ApiResponse, Method, RequestContext};

use super::assets;
use super::auth::{Auth, SignIn, XSRF_HEADER};
use super::clock::Clock;

/// Largest JSON (or other) request body.
pub(crate) const JSON_LIMIT: usize = 1024 * 1024;
/// Largest sign-in body.
const SESSION_LIMIT: usize = 4 * 1024;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The application.
    pub(crate) service: Arc<Service>,
    /// Token and sessions.
    pub(crate) auth: Arc<Auth>,
    /// Where "now" comes from.
    pub(crate) clock: Clock,
    /// The built UI folder.
    pub(crate) ui_dir: Arc<PathBuf>,
    /// The `Host` headers accepted: the bound address, by IP and as
    /// `localhost` (anything else is DNS rebinding or a misrouted request).
    pub(crate) hosts: Arc<Vec<String>>,
}

impl AppState {
    /// The `Host` values a request to `address` may carry.
    pub(crate) fn hosts_for(address: SocketAddr) -> Vec<String> {
        vec![address.to_string(), format!("localhost:{}", address.port())]
    }
}

/// The server's routes.
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/session", any(session))
        .route("/api", any(api))
        .route("/api/{*rest}", any(api))
        // The only anonymous routes (issue 21): the "I still need access"
        // page and the service-desk webhooks; the service authenticates
        // each request by its HMAC (see `seatwarden_service::access`).
        .route("/access/request", any(public))
        .route("/hooks/access/{id}", any(public))
        .route("/favicon.ico", get(static_files))
        .fallback(static_files)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            check_host,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

const CSP: &str = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; \
                   base-uri 'none'; form-action 'self'; object-src 'none'";

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// Refuses a request whose `Host` is not the bound address (DNS
/// rebinding: a page on `evil.example`, resolved to 127.0.0.1, would
/// otherwise be same-origin with this server).
async fn check_host(
    State(state): State<AppState>,
    request: Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !state.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return error(
            421,
            "misdirected_request",
            "the Host header does not name this server's address",
        );
    }
    next.run(request).await
}

/// A response in the API's one error shape.
pub(crate) fn error(status: u16, kind: &str, message: &str) -> Response {
    let body = serde_json::json!({"error": {"kind": kind, "message": message}});
    json_response(status, &body)
}

fn json_response(status: u16, body: &serde_json::Value) -> Response {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn too_large(limit: usize) -> Response {
    error(
        413,
        "payload_too_large",
        &format!("the request body is larger than the limit of {limit} bytes"),
    )
}

/// Reads the body up to `limit` bytes, or the response to send instead.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Vec<u8>, Response> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    // Frames are appended to one buffer sized by the declared length: the
    // body is held once (collecting, then copying into a `Vec`, held a
    // 100 MB import upload two or three times).
    let capacity = declared.map_or(0, |n| usize::try_from(n).unwrap_or(limit).min(limit));
    let mut out = Vec::with_capacity(capacity);
    let mut body = Limited::new(body, limit);
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    out.extend_from_slice(&data);
                }
            }
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err(too_large(limit));
            }
            Err(_) => {
                return Err(error(
                    400,
                    "bad_request",
                    "the request body could not be read",
                ));
            }
        }
    }
    Ok(out)
}

fn is_csv(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/csv"))
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
}

pub(crate) use seatwarden_service::access::form::form_decode;

/// `POST /session` signs in with the admin token; `GET /session` answers
/// the current session's XSRF token (after a reload); `DELETE /session`
/// signs out.
async fn session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let current = state.auth.session(cookies(&parts.headers));
    match parts.method.as_str() {
        // Confirms a session to a page that holds its XSRF token already
        // (kept since sign-in); never answers the token (see `auth`).
        "GET" => match current {
            Some((_, s))
                if Auth::xsrf_ok(
                    &s,
                    parts.headers.get(XSRF_HEADER).and_then(|v| v.to_str().ok()),
                ) =>
            {
                json_response(200, &serde_json::json!({"actor": state.auth.actor()}))
            }
            Some(_) => error(
                403,
                "xsrf_required",
                "the XSRF token is missing or wrong; sign in again",
            ),
            None => error(401, "unauthenticated", "sign in with the admin token first"),
        },
        "DELETE" => match current {
            Some((id, s)) => {
                let header = parts.headers.get(XSRF_HEADER).and_then(|v| v.to_str().ok());
                if !Auth::xsrf_ok(&s, header) {
                    return error(403, "xsrf_required", "the XSRF token is missing or wrong");
                }
                state.auth.sign_out(&id);
                let mut response = json_response(200, &serde_json::json!({"signedOut": true}));
                let expired = format!(
                    "{}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0",
                    state.auth.cookie()
                );
                if let Ok(value) = HeaderValue::from_str(&expired) {
                    response.headers_mut().insert(header::SET_COOKIE, value);
                }
                response
            }
            None => error(401, "unauthenticated", "not signed in"),
        },
        "POST" => {
            let body = match read_body(&parts.headers, body, SESSION_LIMIT).await {
                Ok(b) => b,
                Err(response) => return response,
            };
            let is_json = parts
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("json"));
            let token = if is_json {
                serde_json::from_slice::<serde_json::Value>(&body)
                    .ok()
                    .and_then(|v| v.get("token").and_then(|t| t.as_str()).map(str::to_owned))
            } else {
                form_decode(&String::from_utf8_lossy(&body))
                    .into_iter()
                    .find(|(name, _)| name == "token")
                    .map(|(_, value)| value)
            };
            let Some(token) = token else {
                return error(400, "bad_request", "field `token` is missing");
            };
            let now = state.clock.now();
            let client = peer.ip();
            match state.auth.attempt(&token, std::time::Instant::now()) {
                SignIn::Ok(id, s) => {
                    state
                        .service
                        .record_sign_in(state.auth.actor(), true, client, now);
                    let mut response = json_response(
                        200,
                        &serde_json::json!({"xsrfToken": s.xsrf, "actor": state.auth.actor()}),
                    );
                    let cookie = format!(
                        "{}={id}; HttpOnly; SameSite=Strict; Path=/",
                        state.auth.cookie()
                    );
                    if let Ok(value) = HeaderValue::from_str(&cookie) {
                        response.headers_mut().insert(header::SET_COOKIE, value);
                    }
                    response
                }
                SignIn::Wrong => {
                    state
                        .service
                        .record_sign_in(state.auth.actor(), false, client, now);
                    error(401, "unauthenticated", "the admin token is not valid")
                }
                SignIn::Throttled(wait) => {
                    let mut response = error(
                        429,
                        "too_many_requests",
                        "too many failed sign-ins; wait a minute and try again",
                    );
                    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                    response
                }
            }
        }
        _ => error(
            405,
            "method_not_allowed",
            "use GET, POST or DELETE on /session",
        ),
    }
}

/// Every `/api/*` request: facts into a [`RequestContext`], then the service.
async fn api(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let Some(method) = Method::parse(parts.method.as_str()) else {
        return error(
            405,
            "method_not_allowed",
            "the admin API accepts GET, POST, PUT and DELETE",
        );
    };
    // The larger limit only where a CSV body is expected: a `text/csv`
    // header on any other route must not let a 32 MiB body through.
    let limit = match seatwarden_service::api::csv_body_limit(method, parts.uri.path()) {
        Some(csv) if is_csv(&parts.headers) => csv,
        _ => JSON_LIMIT,
    };
    let body = match read_body(&parts.headers, body, limit).await {
        Ok(b) => b,
        Err(response) => return response,
    };
    let session = state.auth.session(cookies(&parts.headers));
    let xsrf_header = parts.headers.get(XSRF_HEADER).and_then(|v| v.to_str().ok());
    let context = match &session {
        Some((_, s)) => RequestContext {
            actor: Some(state.auth.actor().to_owned()),
            sysadmin: true,
            client_ip: Some(peer.ip().to_string()),
            xsrf_verified: Auth::xsrf_ok(s, xsrf_header),
            websudo_verified: true,
            ..RequestContext::default()
        },
        None => RequestContext {
            client_ip: Some(peer.ip().to_string()),
            ..RequestContext::default()
        },
    };
    let request = ApiRequest {
        method,
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(form_decode).unwrap_or_default(),
        // The buffer `read_body` filled, handed over without a copy (an
        // import keeps it as its plan's file).
        body: body.into(),
        context,
    };
    let service = state.service.clone();
    let now = state.clock.now();
    // Reads may be exports, which leave in chunks as they are written.
    if method == Method::Get {
        return super::stream::answer(service, request, now, into_response).await;
    }
    match tokio::task::spawn_blocking(move || service.handle(&request, now)).await {
        Ok(answer) => into_response(answer),
        Err(_) => error(500, "internal", "the request handler failed"),
    }
}

/// The anonymous routes: the headers the service reads, the body up to
/// its cap, then `Service::handle_public`. No session is read or made.
async fn public(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = match read_body(&parts.headers, body, seatwarden_service::access::MAX_BODY).await {
        Ok(b) => b,
        Err(response) => return response,
    };
    let headers = [
        "x-seatwarden-signature",
        "x-seatwarden-timestamp",
        "x-seatwarden-token",
        "content-type",
    ]
    .iter()
    .filter_map(|name| {
        parts
            .headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .map(|v| ((*name).to_owned(), v.to_owned()))
    })
    .collect();
    let request = PublicRequest {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(form_decode).unwrap_or_default(),
        headers,
        body,
        client_ip: Some(peer.ip().to_string()),
    };
    let service = state.service.clone();
    let now = state.clock.now();
    match tokio::task::spawn_blocking(move || service.handle_public(&request, now)).await {
        Ok(answer) => into_response(answer),
        Err(_) => error(500, "internal", "the request handler failed"),
    }
}

fn into_response(answer: ApiResponse) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&answer.content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in &answer.headers {
        if let (Ok(name), Ok(value)) = (
            header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    response
}

/// The UI: files from the built folder, the SPA fallback, or the
/// "not built" page.
async fn static_files(State(state): State<AppState>, request: Request) -> Response {
    if !matches!(request.method().as_str(), "GET" | "HEAD") {
        return error(405, "method_not_allowed", "static files are read-only");
    }
    let path = request.uri().path().to_owned();
    let root = state.ui_dir.clone();
    let Ok(asset) = tokio::task::spawn_blocking(move || assets::load(&root, &path)).await else {
        return error(500, "internal", "the file could not be read");
    };
    let mut response = Response::new(Body::from(asset.body));
    *response.status_mut() = StatusCode::from_u16(asset.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(asset.caching.header()),
    );
    response
}
