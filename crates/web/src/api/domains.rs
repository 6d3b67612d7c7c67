//! `/api/v1/domains`: list, add (with the domain's DKIM keys), remove (when it has no
//! accounts) — the same library calls as `sigillo domain add|list|remove`.

use super::auth::Caller;
use super::body::{JsonBody, Segment};
use super::{ApiError, ApiState, hold, json};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use sigillo_crypto::keystore::{ServerKeys, load_master_key};
use sigillo_smtp::domain_admin::{self, DomainChange, DomainError};
use sigillo_store::Directory;
use std::sync::Arc;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDomain {
    name: String,
}

pub async fn list(State(state): State<Arc<ApiState>>) -> Result<Response, ApiError> {
    let domains = state.gate.directories.run(|dir| dir.list_domains()).await??;
    let list: Vec<_> = domains.into_iter().map(|(name, accounts)| json!({ "name": name, "accounts": accounts })).collect();
    Ok(json(StatusCode::OK, &json!({ "domains": list })))
}

fn domain_error(e: DomainError) -> ApiError {
    match e {
        DomainError::InvalidName(_) => ApiError::bad_request(e.to_string()),
        DomainError::Store(s) => s.into(),
        DomainError::Dkim(d) => ApiError::internal("DKIM keys", d),
    }
}

/// Runs `change` on the key store (loaded, then saved when it changed), one at a time.
pub(crate) async fn with_keys<F>(state: &Arc<ApiState>, change: F) -> Result<DomainChange, ApiError>
where
    F: FnOnce(&Directory, &mut ServerKeys) -> Result<DomainChange, DomainError> + Send + 'static,
{
    let st = Arc::clone(state);
    state
        .gate
        .directories
        .run(move |dir| -> Result<DomainChange, ApiError> {
            let _one = hold(&st.keys_lock);
            let master = load_master_key(&st.master_key).map_err(|e| ApiError::internal("master key", e))?;
            let mut keys = ServerKeys::load(&st.keystore, &master).map_err(|e| ApiError::internal("key store", e))?;
            let change = change(dir, &mut keys).map_err(domain_error)?;
            if change.keys_changed {
                keys.save(&st.keystore, &master).map_err(|e| ApiError::internal("key store", e))?;
            }
            Ok(change)
        })
        .await?
}

async fn audit(state: &ApiState, caller: &Caller, action: &'static str, target: String) -> Result<(), ApiError> {
    let caller = caller.clone();
    state.gate.directories.run(move |dir| dir.record(&caller.event(action, &target, json!({})))).await??;
    Ok(())
}

pub async fn add(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<NewDomain>,
) -> Result<Response, ApiError> {
    let now = sigillo_core::clock::unix_now();
    let change = with_keys(&state, move |dir, keys| domain_admin::add(dir, keys, &body.name, now)).await?;
    audit(&state, &caller, "api.domain_add", change.name.clone()).await?;
    Ok(json(StatusCode::CREATED, &json!({ "name": change.name, "accounts": 0 })))
}

pub async fn remove(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(name): Segment,
) -> Result<Response, ApiError> {
    if domain_admin::normalize(&name).is_err() {
        return Err(ApiError::not_found(format!("domain {name} not found")));
    }
    let change = with_keys(&state, move |dir, keys| domain_admin::remove(dir, keys, &name)).await?;
    audit(&state, &caller, "api.domain_remove", change.name.clone()).await?;
    Ok(json(StatusCode::OK, &json!({ "name": change.name, "removed": true })))
}
