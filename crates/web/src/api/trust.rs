//! `GET /api/v1/trust/checks`: the recorded results of the trust center's automated checks
//! (what `sigillo trust check` runs and the server re-runs on its schedule).

use super::{ApiError, ApiState, blocking, json, rfc3339};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;
use sigillo_trust::results;
use std::sync::Arc;

pub async fn checks(State(state): State<Arc<ApiState>>) -> Result<Response, ApiError> {
    let st = Arc::clone(&state);
    let recorded = blocking(move || Ok(results::load(st.data.root()))).await?;
    let now = sigillo_core::clock::unix_now();
    let checks: Vec<_> = recorded
        .values()
        .map(|r| {
            json!({
                "check": r.check,
                "verdict": r.outcome.verdict.as_str(),
                "detail": r.outcome.detail,
                "fresh": r.fresh(now),
                "ran_at": rfc3339(r.ran_at),
                "expires_at": rfc3339(r.expires_at),
                "evidence": r.outcome.evidence,
            })
        })
        .collect();
    Ok(json(StatusCode::OK, &json!({ "checks": checks })))
}
