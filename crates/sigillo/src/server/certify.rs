//! Certified mail on the HTTPS listener: the RFC 3161 time-stamp service at `POST /tsa`.

use crate::context::Context;
use anyhow::{Context as _, Result};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use sigillo_certify::tsa::{TIMESTAMP_QUERY, TIMESTAMP_REPLY, Tsa, TsaKeys};
use std::sync::Arc;

/// A time-stamp query is a few hundred bytes.
const MAX_QUERY: usize = 16 * 1024;

/// Loads the TSA, creating its keys first in data directories made before certified mail.
pub fn tsa(ctx: &mut Context) -> Result<Arc<Tsa>> {
    crate::commands::tsa_keys(ctx)?;
    let keys = TsaKeys::load(&ctx.keys.extra).context("the time-stamp authority's keys")?;
    Ok(Arc::new(Tsa::new(&keys)?))
}

pub fn routes(tsa: Arc<Tsa>) -> Router {
    Router::new().route("/tsa", post(time_stamp).layer(DefaultBodyLimit::max(MAX_QUERY))).with_state(tsa)
}

/// RFC 3161 §3.4: time-stamp protocol via HTTP.
async fn time_stamp(State(tsa): State<Arc<Tsa>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.eq_ignore_ascii_case(TIMESTAMP_QUERY) {
        return (StatusCode::UNSUPPORTED_MEDIA_TYPE, format!("send a DER TimeStampReq as {TIMESTAMP_QUERY}\n")).into_response();
    }
    let reply = tsa.respond(&body);
    ([(header::CONTENT_TYPE, TIMESTAMP_REPLY)], reply).into_response()
}
