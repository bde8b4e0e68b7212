//! Route matching and the checks every request passes first.
//!
//! Routes are data ([`Route`]): method, path pattern with `{name}`
//! parameters, an operation id (the same id the OpenAPI document uses, so a
//! test can hold the two against each other) and a handler. Before any
//! handler runs, [`Router::dispatch`] refuses, in this order:
//! unauthenticated callers, callers without system-administration rights,
//! state-changing requests whose XSRF token the host did not verify, and
//! state-changing requests without a verified WebSudo session; then query
//! parameters the route does not read. The admin API has no anonymous
//! routes. A request that passes them meets the router's [`Prepare`] step
//! (the service re-reads the configuration another node may have saved)
//! and then its handler, so no handler can forget that step.

use std::collections::BTreeMap;

use super::{ApiError, ApiErrorKind, ApiRequest, ApiResponse, Method};

/// Path parameters captured by a route's `{name}` segments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<&'static str, String>);

impl Params {
    /// The raw value of parameter `name`.
    pub fn get(&self, name: &str) -> Result<&str, ApiError> {
        self.0
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| ApiError::internal(format!("route has no parameter `{name}`")))
    }

    /// Parameter `name` parsed as `T`, or a bad-request error naming it.
    pub fn parse<T: std::str::FromStr>(&self, name: &str) -> Result<T, ApiError> {
        let raw = self.get(name)?;
        raw.parse()
            .map_err(|_| ApiError::bad_request(format!("path parameter `{name}` is malformed")))
    }
}

/// Query parameters a host's own machinery adds (Atlassian's XSRF token in
/// the query string); every route tolerates them and none reads them.
pub const HOST_PARAMS: &[&str] = &["atl_token"];

/// A handler: the application, the request, the path parameters.
pub type Handler<A> = fn(&A, &ApiRequest, &Params) -> Result<ApiResponse, ApiError>;

/// One route of the admin API.
pub struct Route<A> {
    /// The HTTP method.
    pub method: Method,
    /// The path pattern, e.g. `/api/runs/{id}/approve`.
    pub pattern: &'static str,
    /// The OpenAPI operation id.
    pub operation_id: &'static str,
    /// The query parameters the route reads; any other name is refused
    /// (a misspelt filter must not silently widen a bulk action or an
    /// export).
    pub query: &'static [&'static str],
    /// The handler.
    pub handler: Handler<A>,
}

/// What runs once per request after the checks and before the handler.
pub type Prepare<A> = fn(&A) -> Result<(), ApiError>;

/// What may refuse a route for the application's state (a preview-only
/// server refuses every route that applies), after the checks and before
/// [`Prepare`]; it sees the route's operation id.
pub type Guard<A> = fn(&A, &'static str) -> Result<(), ApiError>;

/// A table of routes.
pub struct Router<A> {
    routes: Vec<Route<A>>,
    prepare: Option<Prepare<A>>,
    guard: Option<Guard<A>>,
}

enum Segment {
    Literal(&'static str),
    Param(&'static str),
}

fn segments(pattern: &'static str) -> impl Iterator<Item = Segment> {
    pattern.split('/').filter(|s| !s.is_empty()).map(|s| {
        match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => Segment::Param(name),
            None => Segment::Literal(s),
        }
    })
}

fn match_path(pattern: &'static str, path: &str) -> Option<Params> {
    let mut params = Params::default();
    let mut parts = path.split('/').filter(|s| !s.is_empty());
    for segment in segments(pattern) {
        let part = parts.next()?;
        match segment {
            Segment::Literal(lit) if lit == part => {}
            Segment::Literal(_) => return None,
            Segment::Param(name) => {
                params.0.insert(name, percent_decode(part)?);
            }
        }
    }
    parts.next().is_none().then_some(params)
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result
/// is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl<A> Router<A> {
    /// A router over `routes`.
    pub fn new(routes: Vec<Route<A>>) -> Router<A> {
        Router {
            routes,
            prepare: None,
            guard: None,
        }
    }

    /// The same table with `guard` asked before every handler (after the
    /// checks); its error is the answer.
    pub fn guarded_by(self, guard: Guard<A>) -> Router<A> {
        Router {
            guard: Some(guard),
            ..self
        }
    }

    /// The same table with `prepare` run before every handler (after the
    /// checks, so a refused request never reaches it); its error is the
    /// answer.
    pub fn prepared_by(self, prepare: Prepare<A>) -> Router<A> {
        Router {
            prepare: Some(prepare),
            ..self
        }
    }

    /// The routes, for the OpenAPI check.
    pub fn routes(&self) -> &[Route<A>] {
        &self.routes
    }

    /// Finds the route, applies the checks every request passes, and runs
    /// the handler. Always answers: errors become the one error shape.
    pub fn dispatch(&self, app: &A, request: &ApiRequest) -> ApiResponse {
        match self.try_dispatch(app, request) {
            Ok(response) => response,
            Err(error) => error.into_response(),
        }
    }

    fn try_dispatch(&self, app: &A, request: &ApiRequest) -> Result<ApiResponse, ApiError> {
        let (route, params) = self.admit(app, request)?;
        (route.handler)(app, request, &params)
    }

    /// Finds the route and applies every check, the guard and the prepare
    /// step, without running the handler: what [`Router::dispatch`] does
    /// before it, for a caller that answers some routes its own way (the
    /// streamed exports) and must not skip a check to do so.
    pub fn admit(&self, app: &A, request: &ApiRequest) -> Result<(&Route<A>, Params), ApiError> {
        let path = request.path.split('?').next().unwrap_or("");
        let mut path_matched = false;
        let mut found = None;
        for route in &self.routes {
            if let Some(params) = match_path(route.pattern, path) {
                path_matched = true;
                if route.method == request.method {
                    found = Some((route, params));
                    break;
                }
            }
        }
        let (route, params) = match found {
            Some(f) => f,
            None if path_matched => {
                return Err(ApiError::new(
                    ApiErrorKind::MethodNotAllowed,
                    format!("`{}` is not allowed on this path", request.method.as_str()),
                ));
            }
            None => return Err(ApiError::not_found("this API path")),
        };
        let context = &request.context;
        if context.actor.is_none() {
            return Err(ApiError::new(
                ApiErrorKind::Unauthenticated,
                "sign in as a system administrator first",
            ));
        }
        if !context.sysadmin {
            return Err(ApiError::new(
                ApiErrorKind::Forbidden,
                "only system administrators may use Seatwarden",
            ));
        }
        if route.method.changes_state() {
            if !context.xsrf_verified {
                return Err(ApiError::new(
                    ApiErrorKind::XsrfRequired,
                    "this request changes state and needs a valid XSRF token",
                ));
            }
            if !context.websudo_verified {
                return Err(ApiError::new(
                    ApiErrorKind::Forbidden,
                    "confirm your administrator password (secure administrator session) first",
                ));
            }
        }
        if let Some((name, _)) = request.query.iter().find(|(name, _)| {
            !route.query.contains(&name.as_str()) && !HOST_PARAMS.contains(&name.as_str())
        }) {
            let accepted = if route.query.is_empty() {
                "none".to_owned()
            } else {
                route
                    .query
                    .iter()
                    .map(|q| format!("`{q}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(ApiError::bad_request(format!(
                "unknown query parameter `{name}`; this path accepts {accepted}"
            ))
            .with_details(serde_json::json!({
                "problems": [{"path": format!("query.{name}"), "message": "unknown query parameter"}]
            })));
        }
        if let Some(guard) = self.guard {
            guard(app, route.operation_id)?;
        }
        if let Some(prepare) = self.prepare {
            prepare(app)?;
        }
        Ok((route, params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::RequestContext;

    fn echo(_: &(), _: &ApiRequest, params: &Params) -> Result<ApiResponse, ApiError> {
        ApiResponse::json(&params.get("id")?)
    }

    fn router() -> Router<()> {
        Router::new(vec![
            Route {
                method: Method::Get,
                pattern: "/api/runs/{id}",
                operation_id: "getRun",
                query: &["verbose"],
                handler: echo,
            },
            Route {
                method: Method::Post,
                pattern: "/api/runs/{id}/approve",
                operation_id: "approveRun",
                query: &[],
                handler: echo,
            },
        ])
    }

    fn request(method: Method, path: &str, context: RequestContext) -> ApiRequest {
        ApiRequest {
            method,
            path: path.into(),
            query: vec![],
            body: bytes::Bytes::new(),
            context,
        }
    }

    fn admin() -> RequestContext {
        RequestContext {
            actor: Some("JIRAUSER1".into()),
            sysadmin: true,
            client_ip: None,
            xsrf_verified: true,
            websudo_verified: true,
            now: seatwarden_core::Millis(0),
        }
    }

    fn kind(response: &ApiResponse) -> String {
        let v: serde_json::Value = serde_json::from_slice(&response.body).unwrap();
        v["error"]["kind"].as_str().unwrap_or("").to_owned()
    }

    #[test]
    fn the_prepare_step_runs_after_the_checks_and_its_error_is_the_answer() {
        fn unavailable(_: &()) -> Result<(), ApiError> {
            Err(ApiError::new(ApiErrorKind::Unavailable, "store down"))
        }
        let prepared = router().prepared_by(unavailable);
        let anonymous = RequestContext {
            actor: None,
            ..admin()
        };
        let r = prepared.dispatch(&(), &request(Method::Get, "/api/runs/1", anonymous));
        assert_eq!((r.status, kind(&r).as_str()), (401, "unauthenticated"));
        let r = prepared.dispatch(&(), &request(Method::Get, "/api/runs/1", admin()));
        assert_eq!((r.status, kind(&r).as_str()), (503, "unavailable"));
        let r = router().dispatch(&(), &request(Method::Get, "/api/runs/1", admin()));
        assert_eq!(r.status, 200, "without the step the handler answers");
    }

    #[test]
    fn matches_parameters_and_decodes_them() {
        let r = router().dispatch(&(), &request(Method::Get, "/api/runs/a%2Fb", admin()));
        assert_eq!(r.status, 200);
        assert_eq!(r.body, br#""a/b""#);
    }

    #[test]
    fn unknown_paths_and_wrong_methods() {
        let r = router().dispatch(&(), &request(Method::Get, "/api/nothing", admin()));
        assert_eq!((r.status, kind(&r).as_str()), (404, "not_found"));
        let r = router().dispatch(&(), &request(Method::Delete, "/api/runs/1", admin()));
        assert_eq!((r.status, kind(&r).as_str()), (405, "method_not_allowed"));
        let r = router().dispatch(&(), &request(Method::Get, "/api/runs/%zz", admin()));
        assert_eq!(r.status, 404, "a malformed escape matches no route");
    }

    #[test]
    fn unknown_query_parameters_are_refused_by_name() {
        let mut req = request(Method::Get, "/api/runs/1", admin());
        req.query = vec![("verbose".into(), "1".into())];
        req.query.push(("atl_token".into(), "t".into()));
        assert_eq!(router().dispatch(&(), &req).status, 200);
        req.query.push(("verbsoe".into(), "1".into()));
        let r = router().dispatch(&(), &req);
        assert_eq!((r.status, kind(&r).as_str()), (400, "bad_request"));
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v["error"]["message"],
            "unknown query parameter `verbsoe`; this path accepts `verbose`"
        );
        let mut req = request(Method::Post, "/api/runs/1/approve", admin());
        req.query = vec![("x".into(), String::new())];
        let r = router().dispatch(&(), &req);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            v["error"]["message"],
            "unknown query parameter `x`; this path accepts none"
        );
        // Refused only after the caller is known to be an admin.
        let mut req = request(Method::Get, "/api/runs/1", RequestContext::default());
        req.query = vec![("x".into(), String::new())];
        assert_eq!(router().dispatch(&(), &req).status, 401);
    }

    #[test]
    fn refuses_anonymous_non_admin_and_unverified_writes() {
        let anonymous = RequestContext::default();
        let r = router().dispatch(&(), &request(Method::Get, "/api/runs/1", anonymous));
        assert_eq!((r.status, kind(&r).as_str()), (401, "unauthenticated"));

        let user = RequestContext {
            sysadmin: false,
            ..admin()
        };
        let r = router().dispatch(&(), &request(Method::Get, "/api/runs/1", user));
        assert_eq!((r.status, kind(&r).as_str()), (403, "forbidden"));

        let no_xsrf = RequestContext {
            xsrf_verified: false,
            ..admin()
        };
        let r = router().dispatch(&(), &request(Method::Get, "/api/runs/1", no_xsrf.clone()));
        assert_eq!(r.status, 200, "reads need no XSRF token");
        let r = router().dispatch(&(), &request(Method::Post, "/api/runs/1/approve", no_xsrf));
        assert_eq!((r.status, kind(&r).as_str()), (403, "xsrf_required"));

        let no_websudo = RequestContext {
            websudo_verified: false,
            ..admin()
        };
        let r = router().dispatch(
            &(),
            &request(Method::Post, "/api/runs/1/approve", no_websudo),
        );
        assert_eq!((r.status, kind(&r).as_str()), (403, "forbidden"));
    }
}
