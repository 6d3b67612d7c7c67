//! Request bodies: `application/json`, at most [`super::MAX_BODY`] bytes, parsed into a
//! struct that refuses unknown fields. Every failure is a JSON 400/413/415, never a panic.

use super::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Request};
use axum::http::StatusCode;
use futures_core::Stream;
use serde::de::DeserializeOwned;

/// Reads the whole request body (at most [`super::MAX_BODY`] bytes) before anything else
/// looks at the request. A refusal sent while the client is still sending its body makes
/// the server close with unread data, which the kernel answers with a TCP reset: the client
/// may then lose the refusal itself. With the body read first, every answer arrives and the
/// connection stays usable. A body past the limit is read on and dropped up to
/// [`DRAIN_LIMIT`], so its sender gets the 413 too; past that the connection just closes.
pub async fn buffer(request: Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::response::IntoResponse;
    let too_large = || {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the body is larger than {} bytes", super::MAX_BODY))
            .into_response()
    };
    let (parts, body) = request.into_parts();
    let mut stream = body.into_data_stream();
    let (mut kept, mut seen) = (Vec::new(), 0usize);
    while let Some(chunk) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut stream).poll_next(cx)).await {
        let Ok(chunk) = chunk else { return ApiError::bad_request("the request body could not be read").into_response() };
        seen = seen.saturating_add(chunk.len());
        if seen > DRAIN_LIMIT {
            return too_large();
        }
        if seen <= super::MAX_BODY {
            kept.extend_from_slice(&chunk);
        }
    }
    if seen > super::MAX_BODY {
        return too_large();
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(kept))).await
}

/// How much of an oversized body is read (and dropped) so its sender sees the refusal.
pub const DRAIN_LIMIT: usize = 4 * 1024 * 1024;

pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case("application/json") {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "send the body as application/json"));
        }
        let bytes = Bytes::from_request(request, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", format!("the body is larger than {} bytes", super::MAX_BODY))
            } else {
                ApiError::bad_request(format!("cannot read the body: {e}"))
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))
    }
}

/// One path segment, decoded; a segment that does not decode names nothing here (404).
pub struct Segment(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Segment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| Segment(s))
            .map_err(|_| ApiError::not_found("no such resource"))
    }
}
