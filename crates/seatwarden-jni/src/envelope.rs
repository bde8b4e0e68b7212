//! The wire contract of the bridge: versioned requests in, one envelope out.
//!
//! Every payload crossing JNI is UTF-8 JSON in a `byte[]`. Requests carry a
//! `version` (the bridge protocol version, [`BRIDGE_VERSION`]); responses are
//! always one envelope:
//!
//! ```json
//! {"ok":true,"result":<result>}
//! {"ok":false,"error":{"kind":"bad_request","message":"…","details":{…}}}
//! ```
//!
//! Expected failures (a bad request, an unknown handle, …) and internal bugs
//! (panics) both come back as envelopes, so the Java side has one place that
//! turns `kind` into an exception class. Only failures of JNI itself (a
//! `byte[]` that cannot be read) are thrown directly by the entry points.
//!
//! The success envelope is written with a fixed prefix (`{"ok":true,"result":`)
//! and a single closing `}`, which lets Java hand the result bytes on (to a
//! servlet response, say) by slicing instead of re-serialising them.
//!
//! Nothing here touches JNI, so all of it is covered by plain unit tests.

use std::any::Any;
use std::panic::{AssertUnwindSafe, UnwindSafe, catch_unwind};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::panic_site;

/// The bridge protocol version: requests must carry it, Java checks it at load.
pub(crate) const BRIDGE_VERSION: u32 = 1;

/// The bytes every success envelope starts with.
pub(crate) const OK_PREFIX: &[u8] = br#"{"ok":true,"result":"#;

/// The kinds of error an envelope can carry; Java maps each to one exception class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ErrorKind {
    /// The request is malformed or names things that do not exist in it.
    BadRequest,
    /// The request's `version` is not one this library speaks.
    UnsupportedVersion,
    /// The request refers to something that does not exist.
    NotFound,
    /// The request conflicts with the current state (e.g. a stale config version).
    Conflict,
    /// The handle is closed or was never opened.
    Closed,
    /// The host or its database did not answer (retry later).
    Unavailable,
    /// A bug in the library (a panic or a broken invariant); never the caller's fault.
    Internal,
}

#[cfg(test)]
impl ErrorKind {
    /// Every kind, for tests.
    pub(crate) const ALL: [ErrorKind; 7] = [
        ErrorKind::BadRequest,
        ErrorKind::UnsupportedVersion,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Closed,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
    ];
}

/// An error as the outside sees it: a kind, a message, structured details.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct WireError {
    /// Which exception class Java throws.
    pub(crate) kind: ErrorKind,
    /// Lowercase, no trailing period, no personal data.
    pub(crate) message: String,
    /// Machine-readable context (positions, names of the offending keys, …); `{}` if none.
    pub(crate) details: Value,
}

impl WireError {
    /// An error without details.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        WireError {
            kind,
            message: message.into(),
            details: Value::Object(serde_json::Map::new()),
        }
    }

    /// The same error with `details` attached.
    pub(crate) fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// A request whose bytes are not the JSON we expect, described by
    /// [`seatwarden_core::json_error::describe`] (the one describer every
    /// edge uses: no quoted values, which may be an email or a username);
    /// the position goes in details.
    pub(crate) fn from_json(what: &str, error: &serde_json::Error) -> Self {
        WireError::new(
            ErrorKind::BadRequest,
            format!(
                "{what} is not valid: {}",
                seatwarden_core::json_error::describe(error)
            ),
        )
        .with_details(serde_json::json!({ "line": error.line(), "column": error.column() }))
    }

    /// The error for a panic: a fixed message, never the panic's payload
    /// (which may quote input data); the source location if the hook saw it.
    pub(crate) fn from_panic(_payload: &(dyn Any + Send)) -> Self {
        let err = WireError::new(ErrorKind::Internal, "internal error in the native library");
        match panic_site::take() {
            Some(site) => err.with_details(serde_json::json!({ "location": site })),
            None => err,
        }
    }
}

/// The success envelope around an already serialised result.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn ok_raw(result_json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(OK_PREFIX.len() + result_json.len() + 1);
    out.extend_from_slice(OK_PREFIX);
    out.extend_from_slice(result_json);
    out.push(b'}');
    out
}

/// The success envelope around `result`.
pub(crate) fn ok<T: Serialize + ?Sized>(result: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(OK_PREFIX);
    match serde_json::to_writer(&mut out, result) {
        Ok(()) => {
            out.push(b'}');
            out
        }
        // Only maps with non-string keys or failing `Serialize` impls get here: a bug.
        Err(_) => error(&WireError::new(
            ErrorKind::Internal,
            "internal error: the result could not be serialised",
        )),
    }
}

/// The failure envelope for `err`.
pub(crate) fn error(err: &WireError) -> Vec<u8> {
    #[derive(Serialize)]
    struct Failure<'a> {
        ok: bool,
        error: &'a WireError,
    }
    serde_json::to_vec(&Failure {
        ok: false,
        error: err,
    })
    .unwrap_or_else(|_| {
        // A `WireError` always serialises; keep a constant fallback anyway.
        br#"{"ok":false,"error":{"kind":"internal","message":"internal error","details":{}}}"#
            .to_vec()
    })
}

/// The envelope for an outcome.
pub(crate) fn respond<T: Serialize>(outcome: Result<T, WireError>) -> Vec<u8> {
    match outcome {
        Ok(result) => ok(&result),
        Err(err) => error(&err),
    }
}

/// Runs `f`, turning a panic into an `internal` failure envelope.
///
/// This is the inner shield of every entry point: the outer one (in
/// `guard`) only has JNI calls left to protect.
pub(crate) fn shielded(f: impl FnOnce() -> Vec<u8> + UnwindSafe) -> Vec<u8> {
    match catch_unwind(f) {
        Ok(bytes) => bytes,
        Err(payload) => error(&WireError::from_panic(payload.as_ref())),
    }
}

/// Runs `f` on a parsed request, shielded, and returns the envelope.
pub(crate) fn handle<Req, Res>(
    request: &[u8],
    f: impl FnOnce(Req) -> Result<Res, WireError>,
) -> Vec<u8>
where
    Req: DeserializeOwned,
    Res: Serialize,
{
    shielded(AssertUnwindSafe(|| {
        respond(parse_request::<Req>(request).and_then(f))
    }))
}

/// Parses a versioned request: first its `version`, then the whole body.
///
/// The version is checked before the body so a request from a newer or older
/// Java side gets `unsupported_version`, not a confusing schema error.
pub(crate) fn parse_request<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WireError> {
    #[derive(Deserialize)]
    struct Probe {
        version: Option<Value>,
    }
    let probe: Probe =
        serde_json::from_slice(bytes).map_err(|e| WireError::from_json("request", &e))?;
    match probe.version {
        None => Err(WireError::new(
            ErrorKind::BadRequest,
            "request is not valid: missing field `version`",
        )),
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(BRIDGE_VERSION)) => {
            serde_json::from_slice(bytes).map_err(|e| WireError::from_json("request", &e))
        }
        Some(Value::Number(n)) => Err(WireError::new(
            ErrorKind::UnsupportedVersion,
            format!("request version `{n}` is not supported"),
        )
        .with_details(serde_json::json!({ "requested": n, "supported": [BRIDGE_VERSION] }))),
        Some(_) => Err(WireError::new(
            ErrorKind::BadRequest,
            "request is not valid: field `version` must be a number",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Echo {
        version: u32,
        name: String,
    }

    #[test]
    fn ok_envelope_has_the_fixed_prefix_and_one_closing_brace() {
        let bytes = ok(&serde_json::json!({"a": [1, 2]}));
        assert!(bytes.starts_with(OK_PREFIX));
        assert_eq!(bytes.last(), Some(&b'}'));
        let inner = &bytes[OK_PREFIX.len()..bytes.len() - 1];
        assert_eq!(parse(inner), serde_json::json!({"a": [1, 2]}));
        assert_eq!(
            parse(&bytes),
            serde_json::json!({"ok": true, "result": {"a": [1, 2]}})
        );
    }

    #[test]
    fn ok_raw_wraps_bytes_verbatim() {
        assert_eq!(ok_raw(b"[1]"), br#"{"ok":true,"result":[1]}"#.to_vec());
    }

    #[test]
    fn error_envelope_carries_kind_message_and_details() {
        let err = WireError::new(ErrorKind::NotFound, "no group `x`")
            .with_details(serde_json::json!({"group": "x"}));
        assert_eq!(
            parse(&error(&err)),
            serde_json::json!({"ok": false, "error": {
                "kind": "not_found", "message": "no group `x`", "details": {"group": "x"}}})
        );
    }

    #[test]
    fn every_kind_has_a_snake_case_wire_name() {
        let names: Vec<Value> = ErrorKind::ALL
            .iter()
            .map(|k| serde_json::to_value(k).unwrap())
            .collect();
        assert_eq!(
            names,
            serde_json::json!([
                "bad_request",
                "unsupported_version",
                "not_found",
                "conflict",
                "closed",
                "unavailable",
                "internal"
            ])
            .as_array()
            .unwrap()
            .clone()
        );
    }

    #[test]
    fn request_with_the_current_version_parses() {
        let req: Echo = parse_request(br#"{"version":1,"name":"n"}"#).unwrap();
        assert_eq!(
            req,
            Echo {
                version: 1,
                name: "n".into()
            }
        );
    }

    #[test]
    fn request_without_version_is_a_bad_request() {
        let err = parse_request::<Echo>(br#"{"name":"n"}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert_eq!(err.message, "request is not valid: missing field `version`");
    }

    #[test]
    fn request_with_another_version_is_unsupported_even_if_the_body_is_wrong() {
        let err = parse_request::<Echo>(br#"{"version":2,"other":true}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnsupportedVersion);
        assert_eq!(err.message, "request version `2` is not supported");
        assert_eq!(
            err.details,
            serde_json::json!({"requested": 2, "supported": [1]})
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request_with_a_position() {
        let err = parse_request::<Echo>(b"{\"version\":1,\n\"name\":").unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert_eq!(
            err.message,
            "request is not valid: EOF while parsing a value"
        );
        assert_eq!(err.details, serde_json::json!({"line": 2, "column": 7}));
    }

    #[test]
    fn unknown_field_is_named() {
        let err = parse_request::<Echo>(br#"{"version":1,"name":"n","extra":1}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert!(
            err.message
                .starts_with("request is not valid: unknown field `extra`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn wrongly_typed_values_are_not_quoted_in_the_message() {
        let err = parse_request::<Echo>(br#"{"version":1,"name":["alice@example.invalid"]}"#)
            .unwrap_err();
        assert_eq!(
            err.message,
            "request is not valid: invalid type: sequence, expected a string"
        );
        let err = parse_request::<Echo>(br#"{"version":"alice@example.invalid","name":"n"}"#)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert_eq!(
            err.message,
            "request is not valid: field `version` must be a number"
        );
        let err = parse_request::<Echo>(br#"{"version":1,"name":"n","x":"alice@example.invalid"}"#)
            .unwrap_err();
        assert!(!err.message.contains("alice"), "{}", err.message);
    }

    #[test]
    fn shielded_turns_a_panic_into_an_internal_envelope_without_its_payload() {
        let bytes = shielded(|| panic!("secret input alice@example.invalid"));
        let value = parse(&bytes);
        assert_eq!(value["ok"], false);
        assert_eq!(value["error"]["kind"], "internal");
        assert!(!String::from_utf8(bytes).unwrap().contains("alice"));
    }

    #[test]
    fn handle_parses_runs_and_wraps() {
        let bytes = handle(br#"{"version":1,"name":"n"}"#, |req: Echo| {
            Ok(req.name.len())
        });
        assert_eq!(parse(&bytes), serde_json::json!({"ok": true, "result": 1}));
        let bytes = handle(br#"{"version":1,"name":"n"}"#, |_: Echo| -> Result<u8, _> {
            Err(WireError::new(ErrorKind::Conflict, "stale"))
        });
        assert_eq!(parse(&bytes)["error"]["kind"], "conflict");
    }
}
