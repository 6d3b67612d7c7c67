//! `/.well-known/security.txt` (RFC 9116): where to report a vulnerability.

use crate::WebState;
use axum::extract::State;
use std::sync::Arc;

pub async fn serve(State(state): State<Arc<WebState>>) -> ([(&'static str, &'static str); 1], String) {
    // RFC 9116 §2.5.5: Expires is required; a year ahead, renewed by every response.
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(365))
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    let body = format!(
        "Contact: mailto:abuse@{domain}\nExpires: {expires}\nPreferred-Languages: en, it, ar, nb\n\
         Canonical: https://{host}/.well-known/security.txt\nPolicy: https://{host}/trust\n",
        domain = state.primary_domain,
        host = state.hostname,
    );
    ([("content-type", "text/plain; charset=utf-8")], body)
}
