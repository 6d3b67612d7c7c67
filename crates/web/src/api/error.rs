//! The API's errors: a status and `{"error": code, "message": text}`; a 401 also carries
//! `WWW-Authenticate: Bearer` (RFC 6750 §3), a 429 `Retry-After`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// RFC 6750 §3.1 error code for a 401 (`invalid_token`), if a token was presented.
    pub bearer_error: Option<&'static str>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), bearer_error: None, retry_after: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }

    /// A failure of the server itself: logged in full, answered without details.
    pub fn internal(context: &str, error: impl std::fmt::Display) -> Self {
        tracing::error!(error = %error, "api: {context}");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the server could not complete the request; see its log")
    }
}

impl From<sigillo_auth::AuthError> for ApiError {
    fn from(e: sigillo_auth::AuthError) -> Self {
        use sigillo_auth::AuthError;
        match e {
            AuthError::Store(s) => s.into(),
            AuthError::InvalidInput(m) => ApiError::bad_request(m),
            AuthError::NoSuchAccount(a) => ApiError::not_found(format!("no account {a}")),
            AuthError::LastAdmin => ApiError::conflict(e.to_string()),
            other => ApiError::internal("directory", other),
        }
    }
}

impl From<sigillo_store::StoreError> for ApiError {
    fn from(e: sigillo_store::StoreError) -> Self {
        use sigillo_store::StoreError;
        match e {
            StoreError::NotFound(m) => ApiError::not_found(format!("{m} not found")),
            StoreError::Exists(m) => ApiError::conflict(format!("{m} already exists")),
            StoreError::Invalid(m) => ApiError::conflict(m),
            StoreError::LastAdmin => ApiError::conflict(e.to_string()),
            other => ApiError::internal("store", other),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.code, "message": self.message }).to_string();
        let mut response = (self.status, [("content-type", "application/json")], body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = match self.bearer_error {
                Some(code) => format!("Bearer realm=\"sigillo\", error=\"{code}\""),
                None => "Bearer realm=\"sigillo\"".to_string(),
            };
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                response.headers_mut().insert("www-authenticate", v);
            }
        }
        if let Some(secs) = self.retry_after {
            response.headers_mut().insert("retry-after", HeaderValue::from(secs));
        }
        response
    }
}
