//! `GET https://mta-sts.DOMAIN/.well-known/mta-sts.txt` (RFC 8461 §3.3) for every local
//! domain: the policy of [`sigillo_smtp::mta_sts_policy`], as `text/plain`. Another Host, or
//! a domain this server does not serve, gets 404: a policy must never be served for a domain
//! whose mail does not come here.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sigillo_auth::DirectoryPool;
use sigillo_core::config::Config;
use sigillo_smtp::mta_sts_policy::{MtaStsPolicy, policy_domain};
use std::sync::Arc;

pub struct MtaSts {
    policy: String,
    directories: Arc<DirectoryPool>,
}

impl MtaSts {
    pub fn new(config: &Config, directories: Arc<DirectoryPool>) -> Self {
        MtaSts { policy: MtaStsPolicy::from_config(config).render(), directories }
    }
}

pub fn routes(state: Arc<MtaSts>) -> Router {
    Router::new().route("/.well-known/mta-sts.txt", get(handler)).with_state(state)
}

async fn handler(State(sts): State<Arc<MtaSts>>, headers: HeaderMap) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no MTA-STS policy for this host\n").into_response();
    let Some(domain) = headers.get(header::HOST).and_then(|h| h.to_str().ok()).and_then(policy_domain) else {
        return not_found();
    };
    let lookup = domain.clone();
    match sts.directories.run(move |dir| dir.has_domain(&lookup)).await {
        Ok(Ok(true)) => ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], sts.policy.clone()).into_response(),
        Ok(Ok(false)) => not_found(),
        Ok(Err(e)) => {
            tracing::warn!(domain, error = %e, "MTA-STS: directory lookup failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
        }
        Err(e) => {
            tracing::warn!(domain, error = %e, "MTA-STS: directory lookup failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
        }
    }
}
