//! Bearer tokens (RFC 6750 §2.1) on every endpoint but the OpenAPI file.
//!
//! - Missing header: 401 with `WWW-Authenticate: Bearer`; a wrong, expired or revoked token:
//!   401 with `error="invalid_token"`, the same message for all three (the CLI's `token list`
//!   tells the owner which).
//! - A presented bad token counts as a failed login of the client address for the
//!   pseudo-account [`LOCKOUT_KEY`] in the lockout SMTP, IMAP, POP3 and the web share:
//!   after `[security] max_failures` the address gets 429 (with `Retry-After`) for the
//!   lockout time for every bad token, and the audit log has an `api.lockout` entry. A
//!   valid token still works (256-bit tokens need no lockout; a neighbour behind the same
//!   address must not lock the admin out). The count is not reset by a valid token; it
//!   lapses with the lockout window.
//! - `GET` needs an `admin` or `auditor` token; every other method an `admin` token (403).

use super::{ApiError, ApiState};
use crate::ClientIp;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sigillo_auth::roles::Role;
use sigillo_store::api_tokens::TokenCheck;
use sigillo_store::audit::Event;
use std::sync::Arc;

/// The lockout's account name for API tokens.
pub const LOCKOUT_KEY: &str = "api-token";

/// The caller, added to the request for the handlers.
#[derive(Debug, Clone)]
pub struct Caller {
    /// `api:NAME`, the actor in the audit log.
    pub actor: String,
    pub role: Role,
    pub ip: String,
}

impl Caller {
    /// Records a write in the audit log, in the same directory call as the write itself
    /// where the caller can.
    pub fn event<'a>(&'a self, action: &'a str, target: &'a str, details: serde_json::Value) -> Event<'a> {
        Event { actor: &self.actor, action, target, client_ip: &self.ip, details }
    }
}

fn unauthorized(message: &str, presented: bool) -> ApiError {
    let mut e = ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message);
    e.bearer_error = presented.then_some("invalid_token");
    e
}

fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let missing = || unauthorized("send an API token: Authorization: Bearer TOKEN (sigillo api token create)", false);
    let value = headers.get("authorization").ok_or_else(missing)?;
    let value = value.to_str().map_err(|_| unauthorized("the Authorization header is not a bearer token", true))?;
    let (scheme, token) = value.split_once(' ').ok_or_else(|| unauthorized("the Authorization header is not a bearer token", true))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthorized("the Authorization header is not a bearer token", true));
    }
    Ok(token.trim())
}

pub async fn require(State(state): State<Arc<ApiState>>, mut request: Request, next: Next) -> Response {
    let ip = request.extensions().get::<ClientIp>().map(|c| c.0.clone()).unwrap_or_default();
    // Only the parts needed: a request (its body) cannot be held across an await.
    let (method, presented) = (request.method().clone(), bearer(request.headers()).map(str::to_string));
    let path = request.uri().path().to_string();
    match authorize(&state, &method, &path, presented, &ip).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(e) => e.into_response(),
    }
}

async fn authorize(
    state: &ApiState,
    method: &Method,
    path: &str,
    presented: Result<String, ApiError>,
    ip: &str,
) -> Result<Caller, ApiError> {
    let lockout = &state.gate.lockout;
    let presented = presented?;
    let now = sigillo_core::clock::unix_now();
    let checked = state.gate.directories.run(move |dir| dir.check_api_token(&presented, now)).await?;
    let token = match checked.map_err(ApiError::from)? {
        TokenCheck::Valid(token) => token,
        refused => {
            // A valid token passes even while its client is locked out (above): tokens are
            // 256-bit, so the lockout is no defence for them, and a neighbour behind the same
            // address must not lock an admin out of the API. Bad ones are refused unlogged.
            if let Err(secs) = lockout.check(ip, LOCKOUT_KEY) {
                let mut e =
                    ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("too many bad tokens; try again in {secs} s"));
                e.retry_after = Some(secs);
                return Err(e);
            }
            let reason = match &refused {
                TokenCheck::Expired(_) => "expired",
                TokenCheck::Revoked(_) => "revoked",
                _ => "unknown",
            };
            tracing::info!(client = ip, reason, "API token refused");
            let locked = lockout.record_failure(ip, LOCKOUT_KEY);
            let (ip_owned, reason) = (ip.to_string(), reason.to_string());
            let written = state
                .gate
                .directories
                .run(move |dir| -> Result<(), sigillo_store::StoreError> {
                    let event = |action| Event {
                        actor: LOCKOUT_KEY,
                        action,
                        target: LOCKOUT_KEY,
                        client_ip: &ip_owned,
                        details: json!({ "reason": reason }),
                    };
                    dir.record(&event("api.auth_failure"))?;
                    if locked {
                        dir.record(&event("api.lockout"))?;
                    }
                    Ok(())
                })
                .await;
            if !matches!(written, Ok(Ok(()))) {
                tracing::warn!("cannot write the audit log for a refused API token");
            }
            return Err(unauthorized("the API token is not valid (unknown, expired or revoked)", true));
        }
    };
    // No `record_success`: unlike a password, a token that works proves nothing about the
    // guesses before it, and clearing the count would let a holder of an auditor token
    // interleave unlimited guesses at admin tokens.
    let role = Role::parse(&token.role);
    let caller = Caller { actor: format!("api:{}", token.name), role, ip: ip.to_string() };
    let allowed = if *method == Method::GET { role.may_read_admin() } else { role.may_write_admin() };
    if !allowed {
        tracing::info!(actor = caller.actor, method = %method, "API write refused to a read-only token");
        let (event_caller, target, details) = (caller.clone(), path.to_string(), json!({ "method": method.as_str() }));
        let written = state.gate.directories.run(move |dir| dir.record(&event_caller.event("api.forbidden", &target, details))).await;
        if !matches!(written, Ok(Ok(_))) {
            tracing::warn!("cannot write the audit log for a refused API write");
        }
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden", format!("a {} token may only read", role.as_str())));
    }
    Ok(caller)
}
