//! The admin API: HTTP-shaped requests in, HTTP-shaped responses out.
//!
//! Both hosts speak it: the plugin servlet passes each request through JNI,
//! the standalone server passes each request from axum. Neither holds a
//! business rule: authentication, WebSudo and XSRF are *verified* by the
//! host (it owns the session), and the facts arrive in [`RequestContext`];
//! what those facts permit is decided here, once, for every host.
//!
//! Every error has one JSON shape, `{"error": {"kind", "message", "details"}}`
//! (see [`ApiError`]), so the UI and the Java shim map kinds, not messages.

pub mod error;
pub mod router;
pub mod routes;
pub mod stream;
pub mod wire;

use serde::{Deserialize, Serialize};

pub use error::{ApiError, ApiErrorKind};
pub use router::{Params, Route, Router};
pub use stream::{BodySink, CHUNK, Streamed};

/// Whether a request takes a CSV body (the users and groups imports): only
/// these may be larger than a JSON body. Hosts size their body limit by
/// this, never by the `Content-Type` alone, which any request can claim.
pub fn takes_csv(method: Method, path: &str) -> bool {
    csv_body_limit(method, path).is_some()
}

/// The largest CSV body a route takes, `None` for a route that takes none.
/// The users import streams its validation and keeps the file as its plan
/// (see `service::import_plan`), so it takes a 1M-row file (about 100 MB
/// with groups); the groups import collects every name and stays at 32 MiB.
pub fn csv_body_limit(method: Method, path: &str) -> Option<usize> {
    const MIB: usize = 1024 * 1024;
    match (method, path) {
        (Method::Post, "/api/import/validate") => Some(USERS_IMPORT_LIMIT),
        (Method::Post, "/api/groups/import") => Some(32 * MIB),
        (Method::Post, "/api/preview/directory") => Some(USERS_IMPORT_LIMIT),
        _ => None,
    }
}

/// The largest users import upload: 128 MiB.
pub const USERS_IMPORT_LIMIT: usize = 128 * 1024 * 1024;

/// An HTTP method the admin API uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    /// Read.
    Get,
    /// Create or act.
    Post,
    /// Replace.
    Put,
    /// Delete.
    Delete,
}

impl Method {
    /// True for methods that change state (and so need XSRF verification).
    pub fn changes_state(self) -> bool {
        !matches!(self, Method::Get)
    }

    /// The method's name as HTTP writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// Parses an HTTP method name (case-insensitive).
    pub fn parse(text: &str) -> Option<Method> {
        match text.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            "PUT" => Some(Method::Put),
            "DELETE" => Some(Method::Delete),
            _ => None,
        }
    }
}

/// What the host verified about the caller before passing the request on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestContext {
    /// The signed-in user's key; `None` when nobody is signed in.
    pub actor: Option<String>,
    /// The signed-in user has system-administration rights.
    pub sysadmin: bool,
    /// The client's address, for the audit log.
    pub client_ip: Option<String>,
    /// The host checked the request's XSRF token and it was valid.
    pub xsrf_verified: bool,
    /// The host checked WebSudo (secure administrator session) and it was
    /// valid, or the host has no such concept (the standalone server).
    pub websudo_verified: bool,
    /// The instant the request is handled at (UTC ms). The service reads no
    /// clock: [`crate::Service::handle`] sets it from its `now` argument.
    pub now: seatwarden_core::Millis,
}

impl Default for RequestContext {
    fn default() -> Self {
        RequestContext {
            actor: None,
            sysadmin: false,
            client_ip: None,
            xsrf_verified: false,
            websudo_verified: false,
            now: seatwarden_core::Millis(0),
        }
    }
}

/// A request to the admin API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiRequest {
    /// The HTTP method.
    pub method: Method,
    /// The path below the API root, starting with `/api/`.
    pub path: String,
    /// Query parameters in order; a name may repeat.
    #[serde(default)]
    pub query: Vec<(String, String)>,
    /// The request body (JSON, or CSV for uploads). [`bytes::Bytes`], so
    /// an edge hands over the buffer it read (`Bytes::from(Vec)` takes it
    /// without a copy) and an import keeps that same buffer as its plan's
    /// file (issue 18: the upload was copied once more, +122 MB at 1M rows).
    #[serde(default)]
    pub body: bytes::Bytes,
    /// What the host verified about the caller.
    #[serde(default)]
    pub context: RequestContext,
}

impl ApiRequest {
    /// The first value of query parameter `name`.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Boolean query parameter `name`: exactly `true` or `false`, `default`
    /// when absent. Anything else (`1`, `yes`, `True`, an empty value) is
    /// refused, never read as false: a typo must not silently switch an
    /// export's columns or an import's group removal.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.query_param(name) {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(_) => Err(ApiError::bad_request(format!(
                "query parameter `{name}` must be `true` or `false`"
            ))),
        }
    }

    /// Parses the body as JSON into `T`, or a bad-request error that names
    /// the line, column and what was wrong (never the body itself). A
    /// repeated key anywhere in the body is refused here, for every route
    /// (see `seatwarden_core::strict_json`).
    ///
    /// A whole number written with a fraction or exponent (`3.0`, `1e3`) is
    /// read as the integer it is: JSON does not tell them apart and JSON
    /// Schema counts `3.0` as an integer, so a client (or schemathesis)
    /// following the OpenAPI document may send it. A fraction (`3.5`)
    /// stays refused wherever a whole number is wanted.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, ApiError> {
        let positioned = |e: serde_json::Error| {
            ApiError::new(
                ApiErrorKind::BadRequest,
                format!(
                    "invalid request body at line {}, column {}: {}",
                    e.line(),
                    e.column(),
                    seatwarden_core::json_error::describe(&e)
                ),
            )
        };
        if may_hold_whole_floats(&self.body)
            && let Ok(mut value) =
                seatwarden_core::strict_json::from_slice::<serde_json::Value>(&self.body)
            && whole_floats_as_integers(&mut value)
        {
            // Errors keep their line and column: read the text again.
            return serde_json::from_value(value).or_else(|_| {
                seatwarden_core::strict_json::from_slice(&self.body).map_err(positioned)
            });
        }
        seatwarden_core::strict_json::from_slice(&self.body).map_err(positioned)
    }
}

/// Whether `body` may spell a number with a fraction or an exponent (a digit
/// followed by `.`, `e` or `E`); most bodies do not and skip the rewrite.
fn may_hold_whole_floats(body: &[u8]) -> bool {
    body.windows(2)
        .any(|w| matches!(w, [d, b'.' | b'e' | b'E'] if d.is_ascii_digit()))
}

/// Rewrites every whole-valued float in `value` (within ±2^53, where a float
/// is exact) as an integer; answers whether any was rewritten.
fn whole_floats_as_integers(value: &mut serde_json::Value) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    match value {
        serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() <= EXACT => {
                // In range and whole, so the cast is exact.
                #[allow(clippy::cast_possible_truncation)]
                let whole = f as i64;
                *value = serde_json::Value::from(whole);
                true
            }
            _ => false,
        },
        // Every element is rewritten (no short-circuit), hence the loops.
        serde_json::Value::Array(items) => {
            let mut any = false;
            for v in items {
                any |= whole_floats_as_integers(v);
            }
            any
        }
        serde_json::Value::Object(map) => {
            let mut any = false;
            for v in map.values_mut() {
                any |= whole_floats_as_integers(v);
            }
            any
        }
        _ => false,
    }
}

#[cfg(test)]
mod whole_float_tests {
    use super::*;

    fn body(text: &str) -> ApiRequest {
        ApiRequest {
            method: Method::Post,
            path: "/api/test".to_owned(),
            query: Vec::new(),
            body: text.as_bytes().to_vec().into(),
            context: RequestContext::default(),
        }
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Counts {
        cap: u32,
        version: u64,
    }

    #[test]
    fn whole_floats_read_as_integers_and_fractions_stay_refused() {
        let read: Counts = body(r#"{"cap": 3191.0, "version": 1e3}"#).json().unwrap();
        assert_eq!(
            read,
            Counts {
                cap: 3191,
                version: 1000
            }
        );
        let value: serde_json::Value = body(r#"{"v": [2.0, "1.0"]}"#).json().unwrap();
        assert_eq!(value, serde_json::json!({"v": [2, "1.0"]}));

        let err = body("{\"cap\": 3.5,\n \"version\": 1}")
            .json::<Counts>()
            .unwrap_err();
        assert!(err.message.contains("line 1, column"), "{}", err.message);
        let err = body(r#"{"cap": 1.0, "cap": 2}"#)
            .json::<Counts>()
            .unwrap_err();
        assert!(err.message.contains("line 1"), "{}", err.message);
    }
}

/// A response from the admin API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The body's media type.
    pub content_type: String,
    /// Extra headers (e.g. `Content-Disposition` for downloads).
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl ApiResponse {
    /// A `200 OK` JSON response.
    pub fn json<T: Serialize>(value: &T) -> Result<ApiResponse, ApiError> {
        Self::json_status(200, value)
    }

    /// A JSON response with `status`.
    pub fn json_status<T: Serialize>(status: u16, value: &T) -> Result<ApiResponse, ApiError> {
        let body = serde_json::to_vec(value)
            .map_err(|_| ApiError::internal("the response could not be serialised"))?;
        Ok(ApiResponse {
            status,
            content_type: "application/json".to_owned(),
            headers: Vec::new(),
            body,
        })
    }

    /// A `200 OK` CSV download named `filename`.
    pub fn csv(filename: &str, body: Vec<u8>) -> ApiResponse {
        ApiResponse {
            status: 200,
            content_type: "text/csv; charset=utf-8".to_owned(),
            headers: vec![(
                "Content-Disposition".to_owned(),
                format!("attachment; filename=\"{filename}\""),
            )],
            body,
        }
    }
}
