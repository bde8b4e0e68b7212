//! Calling the API in-process as a signed-in admin, for the tests of the
//! crates built on the service (the Cloud host, the standalone server).
//!
//! Why here, behind the `test-support` feature: those tests each carried
//! their own copy of this request set-up; one copy keeps them in step with
//! [`RequestContext`] (a new check on the context is then met once). Only
//! their `[dev-dependencies]` turn the feature on, so no build of the
//! products or of `serve` contains it.

use serde_json::Value;

use seatwarden_core::Millis;

use crate::Service;
use crate::api::{ApiRequest, Method, RequestContext};

/// An admin who passed every check an edge makes (sign-in, XSRF, WebSudo),
/// acting as `actor` from loopback.
pub fn admin(actor: &str) -> RequestContext {
    RequestContext {
        actor: Some(actor.into()),
        sysadmin: true,
        client_ip: Some("127.0.0.1".into()),
        xsrf_verified: true,
        websudo_verified: true,
        ..RequestContext::default()
    }
}

/// The request for `path` (query string allowed, split on `&` and `=`,
/// undecoded) with `body` as JSON.
pub fn request(
    (method, path): (Method, &str),
    body: Option<&Value>,
    context: RequestContext,
) -> ApiRequest {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (
            p.to_owned(),
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        ),
        None => (path.to_owned(), Vec::new()),
    };
    ApiRequest {
        method,
        path,
        query,
        body: body
            .and_then(|b| serde_json::to_vec(b).ok())
            .map(bytes::Bytes::from)
            .unwrap_or_default(),
        context,
    }
}

/// Calls `path` as `context` at `now`; returns the status and the JSON
/// answer (`null` when it is not JSON).
pub fn call(
    service: &Service,
    context: RequestContext,
    route: (Method, &str),
    body: Option<&Value>,
    now: Millis,
) -> (u16, Value) {
    let response = service.handle(&request(route, body, context), now);
    let value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    (response.status, value)
}
