//! `/api/v1`: a small JSON API for the admin actions the CLI has, with bearer tokens
//! (`sigillo api token create`). The contract is `openapi.yaml` in this crate, served at
//! `/api/v1/openapi.yaml` and checked by the contract test (schemathesis).
//!
//! - [`auth`]: `Authorization: Bearer` on every endpoint but the OpenAPI file; `admin`
//!   tokens may write, `auditor` tokens only read; bad tokens count toward the lockout
//!   every login shares.
//! - [`error`]: every refusal is JSON `{"error": code, "message": text}`.
//! - [`body`]: request bodies are JSON, at most [`MAX_BODY`] bytes, unknown fields refused.
//! - One module per resource: [`domains`], [`accounts`], [`queue`], [`incidents`],
//!   [`trust`], [`audit`]. Every write is recorded in the hash-chained audit log with the
//!   token's name (`api:NAME`) and the client's address.
//!
//! Nothing here opens a mailbox or returns mail content: accounts come from the directory,
//! queued messages are described by their envelope, size and Message-ID only.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod body;
pub mod domains;
pub mod error;
pub mod incidents;
pub mod queue;
pub mod trust;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, delete, get, post, put};
use sigillo_auth::gate::LoginGate;
use sigillo_crypto::slots::KdfParams;
use sigillo_smtp::queue::Queue;
use sigillo_store::DataDir;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use error::ApiError;

/// The largest request body accepted: an incident's 4000-character message is up to 24 KB
/// once JSON escapes every character as `\uXXXX`; nothing legitimate is larger.
pub const MAX_BODY: usize = 64 * 1024;

/// The OpenAPI 3 description of this API; the contract test checks the server against it.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// What the API works on: the server's own handles, so a write is seen at once by SMTP,
/// IMAP and the pages.
pub struct ApiState {
    /// The directory pool (accounts, domains, tokens, audit log) and the shared lockout.
    pub gate: Arc<LoginGate>,
    pub data: DataDir,
    pub kdf: KdfParams,
    pub queue: Arc<Queue>,
    pub hostname: String,
    pub max_message_size: u64,
    /// The quota of an account created without one (`[limits] default_quota`).
    pub default_quota: u64,
    /// The sealed key store and the master key file, for a new domain's DKIM keys.
    pub keystore: PathBuf,
    pub master_key: PathBuf,
    /// One key-store rewrite at a time, and one incidents-file rewrite at a time.
    pub keys_lock: Mutex<()>,
    pub incidents_lock: Mutex<()>,
    /// The web sign-in's sessions, which an account's deletion ends (absent without pages).
    pub portal: Option<Arc<crate::account::Portal>>,
}

/// A `Mutex<()>` whose poisoning is irrelevant: it guards a file, not data in memory.
pub(crate) fn hold(lock: &Mutex<()>) -> std::sync::MutexGuard<'_, ()> {
    lock.lock().unwrap_or_else(|p| p.into_inner())
}

/// Every route of the API, with the security headers applied.
pub fn router(state: Arc<ApiState>) -> Router {
    let protected = Router::new()
        .route("/api/v1/domains", get(domains::list).post(domains::add))
        .route("/api/v1/domains/{name}", delete(domains::remove))
        .route("/api/v1/accounts", get(accounts::list).post(accounts::create))
        .route("/api/v1/accounts/{address}", delete(accounts::delete))
        .route("/api/v1/accounts/{address}/quota", put(accounts::set_quota))
        .route("/api/v1/accounts/{address}/role", put(accounts::set_role))
        .route("/api/v1/queue", get(queue::list))
        .route("/api/v1/queue/{id}", get(queue::show).delete(queue::remove))
        .route("/api/v1/queue/{id}/retry", post(queue::retry))
        .route("/api/v1/incidents", get(incidents::list).post(incidents::open))
        .route("/api/v1/incidents/{id}/updates", post(incidents::update))
        .route("/api/v1/incidents/{id}/resolve", post(incidents::resolve))
        .route("/api/v1/trust/checks", get(trust::checks))
        .route("/api/v1/audit", get(audit::entries))
        // Authorization before any extractor: an unauthenticated client learns nothing
        // from body or path errors.
        .route_layer(axum::middleware::from_fn_with_state(Arc::clone(&state), auth::require));
    Router::new()
        .merge(protected)
        .route("/api/v1/openapi.yaml", get(openapi))
        .route("/api/v1", any(not_found))
        .route("/api/v1/", any(not_found))
        .route("/api/v1/{*rest}", any(not_found))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(body::buffer))
        .layer(axum::middleware::map_response(json_method_not_allowed))
        .layer(axum::middleware::map_response(no_store))
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::headers::secure))
}

async fn openapi() -> Response {
    ([("content-type", "application/yaml; charset=utf-8")], OPENAPI_YAML).into_response()
}

/// axum answers a known path with an unknown method by an empty 405; the API's refusals
/// are all JSON (the `Allow` header is kept).
async fn json_method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get("allow").cloned();
    let mut json = ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this method is not allowed here").into_response();
    if let Some(allow) = allow {
        json.headers_mut().insert("allow", allow);
    }
    json
}

/// No cache keeps an answer: some carry secrets once (a new account's recovery code), and
/// every one reflects the server at that moment (RFC 9111 §5.2.2.5).
async fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert("cache-control", axum::http::HeaderValue::from_static("no-store"));
    response
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such API endpoint (see /api/v1/openapi.yaml)")
}

/// The JSON response of a successful call.
pub(crate) fn json(status: StatusCode, value: &serde_json::Value) -> Response {
    (status, [("content-type", "application/json")], value.to_string()).into_response()
}

/// Runs file work (the queue, the incidents file) on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::internal("blocking task", e))?
}

/// Unix seconds as RFC 3339 UTC, the one time format of the API.
pub(crate) fn rfc3339(t: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string())
}
