//! The anonymous page's HTML: plain, escaped, no script and no inline
//! style (the hosts' CSP forbids both), and one neutral answer for every
//! link that cannot be used, whatever the reason.

use crate::api::ApiResponse;

/// Escapes text for HTML element content and attribute values (the mail
/// crate's escaper: one definition of what is safe in HTML).
pub(super) use seatwarden_mail::sanitize::escape_html as esc;

/// A whole page with `title` and `body` (already escaped HTML).
pub(super) fn html(status: u16, title: &str, body: &str) -> ApiResponse {
    let text = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <link rel=\"icon\" href=\"data:,\">\
         <title>{t}</title></head><body><main><h1>{t}</h1>{body}</main></body></html>\n",
        t = esc(title)
    );
    ApiResponse {
        status,
        content_type: "text/html; charset=utf-8".to_owned(),
        headers: vec![("Referrer-Policy".to_owned(), "no-referrer".to_owned())],
        body: text.into_bytes(),
    }
}

/// The one answer for a link that cannot be used: forged, altered,
/// expired, used already, for a user or policy that no longer exists, or
/// from a policy whose links were switched off. Same status, same text.
pub(super) fn neutral() -> ApiResponse {
    html(
        200,
        "This link cannot be used",
        "<p>This link has expired, has been used already, or is not valid.</p>\
         <p>If you still need access, contact your administrator.</p>",
    )
}

pub(super) fn too_many() -> ApiResponse {
    let mut r = html(
        429,
        "Please try again later",
        "<p>Too many requests arrived in the last minute. Wait a minute and try again.</p>",
    );
    r.headers.push(("Retry-After".to_owned(), "60".to_owned()));
    r
}

pub(super) fn too_large() -> ApiResponse {
    let body = serde_json::json!({"error": {"kind": "payload_too_large",
        "message": format!("the request body is larger than the limit of {} bytes", super::MAX_BODY)}});
    json(413, &body)
}

pub(super) fn method_not_allowed(allow: &str) -> ApiResponse {
    let body = serde_json::json!({"error": {"kind": "method_not_allowed",
        "message": format!("use {allow}")}});
    let mut r = json(405, &body);
    r.headers.push(("Allow".to_owned(), allow.to_owned()));
    r
}

pub(super) fn not_found() -> ApiResponse {
    let body = serde_json::json!({"error": {"kind": "not_found", "message": "no such page"}});
    json(404, &body)
}

pub(super) fn json(status: u16, body: &serde_json::Value) -> ApiResponse {
    ApiResponse {
        status,
        content_type: "application/json".to_owned(),
        headers: Vec::new(),
        body: body.to_string().into_bytes(),
    }
}
