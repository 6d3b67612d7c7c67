//! `GET /api/v1/audit`: the hash-chained audit log, filtered, newest entries as the admin
//! console shows them, with whether the whole chain verifies.

use super::{ApiError, ApiState, json, rfc3339};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use sigillo_store::audit::{self, Filter};
use std::sync::Arc;

const MAX_ROWS: usize = 500;
const DEFAULT_ROWS: usize = 100;
const MAX_FILTER: usize = 512;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    target: Option<String>,
    limit: Option<String>,
}

fn filter_value(name: &str, v: Option<String>) -> Result<Option<String>, ApiError> {
    match v {
        Some(s) if s.len() > MAX_FILTER => Err(ApiError::bad_request(format!("{name}: at most {MAX_FILTER} bytes"))),
        Some(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
        _ => Ok(None),
    }
}

pub async fn entries(
    State(state): State<Arc<ApiState>>,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::bad_request(format!("query: {}", e.body_text())))?;
    let limit = match q.limit.as_deref() {
        None => DEFAULT_ROWS,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_ROWS).contains(&n) => n,
            _ => return Err(ApiError::bad_request(format!("limit: a number from 1 to {MAX_ROWS}"))),
        },
    };
    let filter = Filter {
        actor: filter_value("actor", q.actor)?,
        action: filter_value("action", q.action)?,
        target: filter_value("target", q.target)?,
        since: None,
        until: None,
        limit: Some(limit),
    };
    let (rows, intact) = state
        .gate
        .directories
        .run(move |dir| -> Result<_, sigillo_store::StoreError> {
            let all = dir.audit_entries()?;
            Ok((dir.search_audit(&filter)?, audit::verify_chain(&all).is_ok()))
        })
        .await??;
    let entries: Vec<_> = rows
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq,
                "time": rfc3339(e.time),
                "actor": e.actor,
                "action": e.action,
                "target": e.target,
                "client_ip": e.client_ip,
                "details": serde_json::from_str::<serde_json::Value>(&e.details).unwrap_or_else(|_| json!({})),
                "hash": e.hash,
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({ "chain_intact": intact, "entries": entries })))
}
