//! Security headers on every response: a CSP with no `unsafe-inline` (styles come from
//! /static; the only script is /static/passkeys.js, for WebAuthn, which has no HTML form), HSTS, no sniffing, no referrer (same-origin on pages with forms), no framing.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

pub const CSP: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub async fn secure(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", CSP),
        ("strict-transport-security", "max-age=31536000; includeSubDomains"),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    // Pages with forms (sign-in, account, admin) set `same-origin` themselves: under
    // `no-referrer` a browser sends `Origin: null` on a form POST, and the CSRF origin
    // check could no longer tell this site's forms from a sandboxed attacker's.
    if !headers.contains_key("referrer-policy") {
        headers.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    }
    response
}
