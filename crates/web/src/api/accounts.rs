//! `/api/v1/accounts`: list, create, delete, quota, role — the same library calls as
//! `sigillo account add|list|delete|role` and the admin console.
//!
//! Creation takes the initial password in the body (the CLI reads it from a file or the
//! terminal) and returns what the CLI prints: the recovery code, once. Nothing else
//! secret ever leaves: no keys, no slots, no mail.

use super::auth::Caller;
use super::body::{JsonBody, Segment};
use super::{ApiError, ApiState, json, rfc3339};
use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use sigillo_auth::accounts::{Accounts, NewAccountOptions};
use sigillo_auth::roles::Role;
use sigillo_core::Address;
use sigillo_store::directory::AccountRecord;
use std::sync::Arc;
use zeroize::Zeroizing;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    address: String,
    password: String,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    quota: Option<u64>,
    #[serde(default)]
    certified: bool,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    quota: u64,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleBody {
    role: String,
}

fn view(a: &AccountRecord) -> serde_json::Value {
    json!({
        "address": a.address,
        "domain": a.domain,
        "role": a.role,
        "quota": a.quota,
        "certified": a.certified,
        "created": rfc3339(a.created),
    })
}

/// The stored role name, or a 400 naming the allowed ones.
fn role(text: &str) -> Result<&'static str, ApiError> {
    Role::ALL
        .iter()
        .map(|r| r.as_str())
        .find(|r| *r == text)
        .ok_or_else(|| ApiError::bad_request(format!("role {text:?} is not one of user, auditor, admin")))
}

/// An account named in the path: a malformed address names no account.
fn path_address(text: &str) -> Result<String, ApiError> {
    text.parse::<Address>().map(|a| a.to_string()).map_err(|_| ApiError::not_found(format!("account {text} not found")))
}

/// The largest quota the directory stores.
const MAX_QUOTA: u64 = i64::MAX as u64;

pub async fn list(State(state): State<Arc<ApiState>>) -> Result<Response, ApiError> {
    let accounts = state.gate.directories.run(|dir| dir.list_accounts()).await??;
    Ok(json(StatusCode::OK, &json!({ "accounts": accounts.iter().map(view).collect::<Vec<_>>() })))
}

pub async fn create(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    JsonBody(body): JsonBody<NewAccount>,
) -> Result<Response, ApiError> {
    let NewAccount { address, password, role: role_name, quota, certified } = body;
    let password = Zeroizing::new(password.into_bytes());
    let address: Address = address.trim().parse().map_err(|e| ApiError::bad_request(format!("address: {e}")))?;
    let role = role(role_name.as_deref().unwrap_or("user"))?;
    let quota = match quota {
        None | Some(0) => state.default_quota,
        Some(q) if q > MAX_QUOTA => return Err(ApiError::bad_request(format!("quota: at most {MAX_QUOTA}"))),
        Some(q) => q,
    };
    let options = NewAccountOptions { role: role.to_string(), certified, quota };
    let st = Arc::clone(&state);
    let created = state
        .gate
        .directories
        .run_mut(move |dir| -> Result<_, ApiError> {
            let mut accounts = Accounts { data: &st.data, directory: dir, kdf: st.kdf, actor: &caller.actor };
            let created = accounts.create(&address, &password, &options).map_err(|e| match e {
                // The domain named in the body does not exist: the request is wrong, not the URL.
                sigillo_auth::AuthError::Store(sigillo_store::StoreError::NotFound(m)) => ApiError::bad_request(format!("{m} not found")),
                other => other.into(),
            })?;
            let target = address.to_string();
            let details = json!({ "role": options.role, "quota": options.quota, "certified": options.certified });
            dir.record(&caller.event("api.account_create", &target, details))?;
            let record = dir.account(&target)?.ok_or_else(|| ApiError::internal("account create", "the new account is missing"))?;
            Ok((record, created))
        })
        .await??;
    let (record, created) = created;
    let mut out = view(&record);
    out["recovery_code"] = json!(&*created.recovery_code);
    out["role_aliases"] = json!(created.role_aliases);
    Ok(json(StatusCode::CREATED, &out))
}

pub async fn delete(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(address): Segment,
) -> Result<Response, ApiError> {
    let address = path_address(&address)?;
    let st = Arc::clone(&state);
    let target = address.clone();
    let (account_id, caller) = state
        .gate
        .directories
        .run_mut(move |dir| -> Result<(String, Caller), ApiError> {
            let parsed: Address = target.parse().map_err(|_| ApiError::not_found(format!("account {target} not found")))?;
            let id = Accounts { data: &st.data, directory: dir, kdf: st.kdf, actor: &caller.actor }.delete(&parsed)?;
            dir.record(&caller.event("api.account_delete", &target, json!({})))?;
            Ok((id, caller))
        })
        .await??;
    // What the account still has in this server ends now, as on its own deletion page.
    let sessions = state.portal.as_ref().map(|p| &p.sessions);
    let (web, mail) = crate::account::delete::end_sessions_of(&state.gate, sessions, &account_id).await;
    let (details, target) = (json!({ "reason": "account_delete", "web": web, "mail_clients": mail }), address.clone());
    // The account is gone whatever happens here: a failed log write is logged, not answered.
    let written = state.gate.directories.run(move |dir| dir.record(&caller.event("session.revoke", &target, details))).await;
    if !matches!(written, Ok(Ok(_))) {
        tracing::warn!(account = address, "cannot write the audit log for the sessions a deletion ended");
    }
    Ok(json(StatusCode::OK, &json!({ "address": address, "deleted": true })))
}

pub async fn set_quota(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(address): Segment,
    JsonBody(body): JsonBody<Quota>,
) -> Result<Response, ApiError> {
    let address = path_address(&address)?;
    if body.quota > MAX_QUOTA {
        return Err(ApiError::bad_request(format!("quota: at most {MAX_QUOTA}")));
    }
    let (target, quota) = (address.clone(), body.quota);
    state
        .gate
        .directories
        .run(move |dir| -> Result<(), ApiError> {
            dir.set_quota(&target, quota)?;
            dir.record(&caller.event("api.set_quota", &target, json!({ "quota": quota })))?;
            Ok(())
        })
        .await??;
    Ok(json(StatusCode::OK, &json!({ "address": address, "quota": quota })))
}

pub async fn set_role(
    State(state): State<Arc<ApiState>>,
    Extension(caller): Extension<Caller>,
    Segment(address): Segment,
    JsonBody(body): JsonBody<RoleBody>,
) -> Result<Response, ApiError> {
    let address = path_address(&address)?;
    let role = role(&body.role)?;
    let target = address.clone();
    state
        .gate
        .directories
        .run(move |dir| -> Result<(), ApiError> {
            dir.set_role(&target, role)?;
            dir.record(&caller.event("api.set_role", &target, json!({ "role": role })))?;
            Ok(())
        })
        .await??;
    Ok(json(StatusCode::OK, &json!({ "address": address, "role": role })))
}
